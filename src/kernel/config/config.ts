/**
 * Configuration from the environment and command-line flags, validated once at start so a bad
 * value stops the server with a message that names it, instead of failing later in the field.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);

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
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['patrol', 'camera', 'uav', 'sensor', 'party', 'other']))),
});

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
};

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
      return `  ${name} (--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}): ${i.message}; got ${JSON.stringify(raw[key])}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...result.data, dataDir: resolve(result.data.dataDir) };
}
