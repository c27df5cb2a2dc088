/**
 * The manifest a backup carries (`manifest.json`, written last, so a backup without one is
 * incomplete): what was copied, the hash of every file, and the ledger state the copy contains at
 * least, with the signed checkpoint that vouches for it. Restore trusts none of it blindly: the
 * checkpoint's signature is checked with the log's verifier key and the ledger is recomputed.
 */
import { z } from 'zod';
import { WITNESS_CONFIG_FILE } from '../ledger/witness-collector.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'guarantor-backup/1';
/** Where the database copy sits inside a backup, per dialect. */
export const DATABASE_FILES = { sqlite: 'guarantor.sqlite', postgres: 'guarantor.pgdump' } as const;
export const EVIDENCE_DIR = 'evidence';
/** The member witnesses and quorum (`<data>/witnesses.json`), copied as they are: no secret is in it. */
export const WITNESSES_FILE = WITNESS_CONFIG_FILE;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex');
/** Relative, forward slashes, no `..`: a manifest must not be able to point outside the backup. */
const relativePath = z
  .string()
  .min(1)
  .max(1000)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      p.split('/').every((s) => s !== '' && s !== '..' && s !== '.'),
    {
      message: 'a relative path inside the backup',
    },
  );

const fileEntry = z.object({ path: relativePath, sha256: sha256Hex, bytes: z.number().int().min(0) });

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  createdAt: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  database: fileEntry,
  ledger: z.object({
    /** The log's verifier key when the data directory had the log key; restore can also be given one. */
    vkey: z.string().nullable(),
    /** Leaves the copy holds at least (the live log may have grown while it was made). */
    treeSize: z.number().int().min(0),
    /** base64 RFC 9162 root of the first treeSize leaves. */
    treeRoot: z.string(),
    /** The latest signed checkpoint when the copy was made. */
    checkpoint: z
      .object({ size: z.number().int().min(0), root: z.string(), note: z.string(), createdAt: z.string() })
      .nullable(),
    /**
     * The latest checkpoint a quorum of member witnesses had cosigned when the copy was made, with
     * their cosignatures in its note. Absent in backups made before it was recorded.
     */
    witnessed: z
      .object({
        size: z.number().int().min(0),
        note: z.string(),
        cosigners: z.number().int().min(0),
        witnessedAt: z.string(),
      })
      .nullable()
      .optional(),
  }),
  evidence: z.array(fileEntry),
  /** The witness configuration, when the data directory had one. Absent in older backups. */
  witnesses: fileEntry.nullable().optional(),
  /** Present only when the backup was made with --include-log-key. */
  logKey: fileEntry.nullable(),
  /** Present only when the backup was made with --include-secrets-key. Absent in older backups. */
  secretsKey: fileEntry.nullable().optional(),
  warnings: z.array(z.string()),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupFile = z.infer<typeof fileEntry>;
