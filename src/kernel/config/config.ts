/**
 * Configuration from the environment and command-line flags, validated once at start so a bad
 * value stops the server with a message that names it, instead of failing later in the field.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SecretsKey, secretsKeyBytes } from '../../access/secret-box.ts';

const port = z.coerce.number().int().min(0).max(65_535);

const commaList = (s: string) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

// The names @fastify/proxy-addr knows, besides addresses and CIDR ranges.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(v: string): boolean {
  if (NAMED_RANGES.has(v)) return true;
  const [address = '', prefix, ...rest] = v.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (family === 4 && isIP(prefix) === 4) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const perMinute = z.coerce.number().int().min(0).max(1_000_000);

export const configSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8080),
  dataDir: z.string().min(1).default('./data'),
  databaseUrl: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      'DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite)',
    )
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Load the illustrative demonstration scenario: on an empty database ('auto'), always, or never. */
  demo: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The ledger's origin line: names this log in its checkpoints; fixed once member states follow it. */
  ledgerOrigin: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII with no spaces, such as guarantor.example.org/ledger')
    .default('guarantor.invalid/ledger'),
  checkpointIntervalS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** The largest evidence file accepted, in bytes. */
  evidenceMaxBytes: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .default(200 * 1024 * 1024),
  /**
   * Source kinds whose reports may arrive unsigned (comma-separated); the others must be signed by an
   * enrolled device. By default every kind may send unsigned reports.
   */
  unsignedSources: z
    .string()
    .default('patrol,camera,uav,sensor,party,other')
    .transform(commaList)
    .pipe(z.array(z.enum(['patrol', 'camera', 'uav', 'sensor', 'party', 'other']))),
  /** A PEM file of the certificates whose signers' C2PA content credentials are trusted; unset: none. */
  c2paTrustAnchors: z.string().min(1).optional(),
  /** PEM certificate chain and private key files; with both, `serve` speaks HTTPS only. */
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  /**
   * The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or CIDR
   * ranges, comma-separated. Never "all" or a hop count: fastify 5 ignores hop counts because they
   * cannot tell a proxy from a client, and trusting everyone lets any client choose its own address,
   * which would defeat the per-address rate limit and falsify the audit trail.
   */
  trustProxy: z
    .string()
    .transform(commaList)
    .pipe(
      z
        .array(
          z
            .string()
            .refine(
              isProxyAddress,
              'list the proxies: IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), comma-separated',
            ),
        )
        .min(1),
    )
    .optional(),
  /**
   * Other web origins allowed to call the API from a browser (exact `scheme://host[:port]`, comma-
   * separated). Unset: none, which suits the app serving its own web pages.
   */
  corsOrigins: z
    .string()
    .transform(commaList)
    .pipe(
      z.array(
        z
          .string()
          .refine(isOrigin, 'each must be an exact origin such as https://member.example, with no path'),
      ),
    )
    .default([]),
  /**
   * The key that seals the TOTP secrets in the database (base64 of 32 random bytes, e.g. from
   * `openssl rand -base64 32`). Unset: `<data>/secrets-key`, made on first start.
   */
  secretsKey: z
    .string()
    .transform((text, ctx) => {
      const bytes = secretsKeyBytes(text);
      if (bytes) return new SecretsKey(bytes);
      ctx.addIssue({
        code: 'custom',
        message: 'must be 32 bytes in base64, such as the output of openssl rand -base64 32',
      });
      return z.NEVER;
    })
    .optional(),
  /** Requests per minute from one address, and apart from that from one account; 0 turns all limits off. */
  rateLimit: perMinute.default(600),
  /** Of those, the writes (anything but GET, HEAD and OPTIONS) per minute; 0: no separate write limit. */
  rateLimitWrites: perMinute.default(120),
});

function isOrigin(v: string): boolean {
  try {
    const url = new URL(v);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === v;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof configSchema> & { dataDir: string };

const ENV_NAMES: Record<keyof z.input<typeof configSchema>, string> = {
  host: 'HOST',
  port: 'PORT',
  dataDir: 'GUARANTOR_DATA',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'LOG_LEVEL',
  demo: 'GUARANTOR_DEMO',
  ledgerOrigin: 'GUARANTOR_LEDGER_ORIGIN',
  checkpointIntervalS: 'GUARANTOR_CHECKPOINT_INTERVAL',
  evidenceMaxBytes: 'GUARANTOR_EVIDENCE_MAX_BYTES',
  unsignedSources: 'GUARANTOR_UNSIGNED_SOURCES',
  c2paTrustAnchors: 'GUARANTOR_C2PA_TRUST_ANCHORS',
  tlsCert: 'GUARANTOR_TLS_CERT',
  tlsKey: 'GUARANTOR_TLS_KEY',
  trustProxy: 'GUARANTOR_TRUST_PROXY',
  corsOrigins: 'GUARANTOR_CORS_ORIGINS',
  rateLimit: 'GUARANTOR_RATE_LIMIT',
  rateLimitWrites: 'GUARANTOR_RATE_LIMIT_WRITES',
  secretsKey: 'GUARANTOR_SECRETS_KEY',
};

/** Settings whose value an error message must never repeat. */
const SECRET_SETTINGS = new Set<string>(['secretsKey']);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Flags win over the environment; empty strings count as unset. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: Partial<Record<keyof Config, unknown>> = {},
): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const fromFlag = flags[key as keyof Config];
    const fromEnv = env[name];
    if (fromFlag !== undefined && fromFlag !== '') raw[key] = fromFlag;
    else if (fromEnv !== undefined && fromEnv !== '') raw[key] = fromEnv;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = String(i.path[0]);
      const name = ENV_NAMES[key as keyof typeof ENV_NAMES] ?? key;
      const got = SECRET_SETTINGS.has(key)
        ? `a value of ${String(raw[key]).length} characters (not shown)`
        : JSON.stringify(raw[key]);
      return `  ${name} (--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}): ${i.message}; got ${got}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // One without the other is a half-done HTTPS setup; refusing it beats silently serving plain HTTP.
  if ((result.data.tlsCert === undefined) !== (result.data.tlsKey === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  GUARANTOR_TLS_CERT (--tls-cert) and GUARANTOR_TLS_KEY (--tls-key): give both, or neither',
    );
  }
  return { ...result.data, dataDir: resolve(result.data.dataDir) };
}
