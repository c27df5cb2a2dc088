/**
 * Test harness: a real Guarantor (real store on a real dialect, real fastify) driven through
 * `inject`, so route tests exercise exactly what a client would, without opening a port.
 */
import { pino } from 'pino';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/kernel/config/config.ts';
import { generateLogKey } from '../src/kernel/ledger/log-key.ts';
import type { TestDialect } from '../src/kernel/store/test-dialects.ts';

export async function startApp(dialect: TestDialect, demo: 'on' | 'off' = 'off'): Promise<App> {
  const store = await dialect.open();
  return createApp(loadConfig({ GUARANTOR_DEMO: demo }), {
    store,
    logger: pino({ level: 'silent' }),
    logKey: generateLogKey(),
  });
}

let seq = 0;

/** A valid report near Donetsk, one hour ago; override any field. */
export function aReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const from = new Date(Date.now() - 3_600_000);
  return {
    clientInstanceId: `test-${process.pid}-${++seq}`,
    source: { kind: 'patrol', id: 'FRA-patrol-1', participant: 'FRA' },
    observedFrom: from.toISOString(),
    observedTo: new Date(from.getTime() + 5 * 60_000).toISOString(),
    observer: { lon: 37.6, lat: 48.0, accuracyM: 20 },
    event: { lon: 37.65, lat: 48.02 },
    geoPrecision: 'near',
    type: 'explosion',
    weaponClass: 'artillery_100mm_plus',
    count: 4,
    means: 'heard',
    ...overrides,
  };
}

export async function count(
  app: App,
  table: 'reports' | 'incidents' | 'ledger_leaves' | 'incident_events',
): Promise<number> {
  const row = await app.store.db
    .selectFrom(table)
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
