/**
 * Assembles Guarantor: store, services, routes and server, from a validated configuration.
 * Used by `guarantor serve`, the CLI commands that work on a local database, and the tests.
 */

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccountService } from './access/account-service.ts';
import { createDemoAccounts } from './access/demo-accounts.ts';
import { accessGuard, actorName, readerFor } from './access/http-auth.ts';
import { mustBeReadable } from './access/label-filter.ts';
import { accessRoutes } from './access/routes.ts';
import { loadOrCreateSecretsKey, type SecretsKey } from './access/secret-box.ts';
import { sealClearTotpSecrets } from './access/totp-secrets.ts';
import { loadDemoScenario } from './demo/scenario.ts';
import type { Config } from './kernel/config/config.ts';
import { Api } from './kernel/http/api.ts';
import { hardeningOptions } from './kernel/http/hardening.ts';
import { createLogger } from './kernel/http/logger.ts';
import { buildServer } from './kernel/http/server.ts';
import { LedgerService } from './kernel/ledger/ledger-service.ts';
import { type LogKey, loadOrCreateLogKey } from './kernel/ledger/log-key.ts';
import { ledgerRoutes } from './kernel/ledger/routes.ts';
import { loadWitnessPolicy, WitnessCollector } from './kernel/ledger/witness-collector.ts';
import { witnessRoutes } from './kernel/ledger/witness-routes.ts';
import { openStore, type Store, storeOptionsFor } from './kernel/store/store.ts';
import { DeviceService } from './monitoring/devices/device-service.ts';
import { EvidenceService } from './monitoring/evidence/evidence-service.ts';
import { evidenceRoutes } from './monitoring/evidence/routes.ts';
import { GeographyService } from './monitoring/geography-service.ts';
import { IncidentService } from './monitoring/incident-service.ts';
import { isDemo } from './monitoring/publication-service.ts';
import { recordOpeningRoutes } from './monitoring/record-opening.ts';
import { SOURCE_KINDS } from './monitoring/report-schema.ts';
import { ReportService } from './monitoring/report-service.ts';
import { type MonitoringServices, monitoringRoutes } from './monitoring/routes.ts';

export interface App {
  http: FastifyInstance;
  store: Store;
  services: MonitoringServices;
  ledger: LedgerService;
  accounts: AccountService;
  logger: Logger;
  close(): Promise<void>;
}

export function createServices(store: Store, config?: Pick<Config, 'unsignedSources'>): MonitoringServices {
  const geography = new GeographyService(store);
  const policy = { unsignedKinds: new Set<string>(config?.unsignedSources ?? SOURCE_KINDS) };
  return {
    store,
    geography,
    incidents: new IncidentService(store, geography),
    reports: new ReportService(store, geography, policy),
    devices: new DeviceService(store),
  };
}

export async function createApp(
  config: Config,
  options: {
    webRoot?: string;
    store?: Store;
    logger?: Logger;
    logKey?: LogKey;
    secretsKey?: SecretsKey;
  } = {},
): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = options.store ?? (await openStore(storeOptionsFor(config)));
  const services = createServices(store, config);

  // The key sealing TOTP secrets: given, else GUARANTOR_SECRETS_KEY, else <data>/secrets-key.
  const secretsKey = options.secretsKey ?? config.secretsKey ?? loadOrCreateSecretsKey(config.dataDir);
  const accounts = new AccountService(store, { secretsKey });
  // Secrets stored in clear by earlier versions are sealed now, before anyone can sign in.
  const sealing = await sealClearTotpSecrets(accounts.ctx);
  if (sealing.sealed > 0) logger.info({ accounts: sealing.sealed }, 'sealed TOTP secrets stored in clear');
  if (sealing.unreadable > 0) {
    logger.warn(
      { accounts: sealing.unreadable },
      'TOTP secrets that do not open with this secrets key: those accounts cannot sign in until an administrator resets their authenticator app (guarantor admin create makes one if none can sign in), or the key they were sealed with is put back',
    );
  }

  if (config.demo === 'on' || (config.demo === 'auto' && (await isEmpty(store)))) {
    if (!(await isDemo(store.db))) {
      const summary = await loadDemoScenario(services);
      logger.info(summary, 'loaded the illustrative demonstration scenario');
    }
  }
  // Demo accounts exist only beside the demo's data, never on a real deployment's first start.
  if (await isDemo(store.db)) {
    const demoAccounts = await createDemoAccounts(accounts);
    logger.info(
      { accounts: demoAccounts.map((a) => a.username) },
      'demonstration accounts ready (their password is in the README)',
    );
  }

  const ledger = new LedgerService(
    store,
    options.logKey ?? loadOrCreateLogKey(config.dataDir, config.ledgerOrigin),
    {
      onError: (err) => logger.error({ err }, 'ledger checkpoint failed'),
    },
  );
  // Member states' witnesses, when <data>/witnesses.json names them.
  const witnessPolicy = loadWitnessPolicy(config.dataDir);
  const witnesses = witnessPolicy
    ? new WitnessCollector(store, ledger, witnessPolicy, {
        onError: (err) => logger.error({ err }, 'witness collection failed'),
      })
    : undefined;
  const evidence = new EvidenceService(store, {
    dir: join(config.dataDir, 'evidence'),
    maxBytes: config.evidenceMaxBytes,
    ...(config.c2paTrustAnchors ? { c2paTrustAnchors: config.c2paTrustAnchors } : {}),
  });
  const api = new Api().add(
    ...accessRoutes(accounts),
    ...monitoringRoutes(services),
    ...recordOpeningRoutes(store),
    ...ledgerRoutes(
      ledger,
      witnesses && witnessPolicy ? { present: (c) => witnesses.cosigned(c), witnesses: witnessPolicy } : {},
    ),
    ...witnessRoutes(witnesses),
    ...evidenceRoutes(evidence, {
      actorOf: actorName,
      reportReadable: (req, reportId) => mustBeReadable(store.db, 'reports', reportId, readerFor(req)),
    }),
  );
  const http = await buildServer({
    api,
    guard: accessGuard(accounts),
    hardening: hardeningOptions(config),
    logger,
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    health: async () => ({ database: store.dialect }),
  });
  // A signed checkpoint now and every minute, so member states always have a recent one to verify.
  const stopCheckpointing = ledger.startCheckpointing(config.checkpointIntervalS * 1000);
  const stopWitnessing = witnesses?.start(config.checkpointIntervalS * 1000);
  return {
    http,
    store,
    services,
    ledger,
    accounts,
    logger,
    async close() {
      await stopWitnessing?.();
      await stopCheckpointing();
      await http.close();
      await store.close();
    },
  };
}

async function isEmpty(store: Store): Promise<boolean> {
  const any = await store.db.selectFrom('reports').select('id').limit(1).executeTakeFirst();
  const zone = await store.db.selectFrom('zones').select('id').limit(1).executeTakeFirst();
  return !any && !zone;
}
