/**
 * Devices: monitors' handsets and sensors enrolled with an Ed25519 public key, so the reports they
 * sign can be tied to them. Enrolment and revocation are recorded in the ledger like any change.
 */
import { z } from 'zod';
import { Problem } from '../../kernel/http/errors.ts';
import { uuid7 } from '../../kernel/ids/uuid7.ts';
import { appendLeaves } from '../../kernel/ledger/append.ts';
import type { DeviceTable } from '../../kernel/store/schema.ts';
import type { Store, Tx } from '../../kernel/store/store.ts';
import { SOURCE_KINDS } from '../report-schema.ts';
import { publicKeyProblem } from './device-key.ts';

export const deviceInputSchema = z
  .object({
    sourceKind: z.enum(SOURCE_KINDS),
    sourceId: z.string().min(1).max(200),
    participant: z.string().regex(/^[A-Z]{3}$|^[A-Z][A-Z0-9-]{1,15}$/, 'a participant code such as FRA'),
    name: z.string().trim().min(1).max(200),
    /** The raw 32-byte Ed25519 public key, base64. */
    publicKey: z.base64('the raw 32-byte public key in base64'),
  })
  .strict();
export type DeviceInput = z.infer<typeof deviceInputSchema>;

export const revokeInputSchema = z.object({ reason: z.string().trim().min(3).max(2000) }).strict();

export interface Device {
  id: string;
  sourceKind: string;
  sourceId: string;
  participant: string;
  name: string;
  publicKey: string;
  enrolledAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

export function deviceFromRow(r: DeviceTable): Device {
  return {
    id: r.id,
    sourceKind: r.source_kind,
    sourceId: r.source_id,
    participant: r.participant,
    name: r.name,
    publicKey: r.public_key,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
  };
}

const KEY_PROBLEMS = {
  wrong_length: 'an Ed25519 public key is 32 bytes',
  non_canonical: 'the key is not in canonical form',
  not_on_curve: 'the key is not a point on the curve',
  small_order: 'the key is of small order and could not bind a signature to the device',
} as const;

/** The devices of these sources that may sign now, by `${kind}:${id}`. */
export async function activeDevices(
  trx: Tx,
  sources: { kind: string; id: string }[],
): Promise<Map<string, DeviceTable>> {
  const found = new Map<string, DeviceTable>();
  const ids = [...new Set(sources.map((s) => s.id))];
  for (let i = 0; i < ids.length; i += 400) {
    const rows = await trx
      .selectFrom('devices')
      .selectAll()
      .where('source_id', 'in', ids.slice(i, i + 400))
      .where('revoked_at', 'is', null)
      .execute();
    for (const r of rows) found.set(`${r.source_kind}:${r.source_id}`, r);
  }
  return found;
}

export class DeviceService {
  constructor(private readonly store: Store) {}

  async list(): Promise<Device[]> {
    const rows = await this.store.db
      .selectFrom('devices')
      .selectAll()
      .orderBy('enrolled_at')
      .orderBy('id')
      .execute();
    return rows.map(deviceFromRow);
  }

  async enrol(input: DeviceInput): Promise<Device> {
    const key = Buffer.from(input.publicKey, 'base64');
    const problem = publicKeyProblem(new Uint8Array(key));
    if (problem) throw new Problem('unprocessable', KEY_PROBLEMS[problem], { field: 'publicKey' });
    const now = new Date().toISOString();
    return this.store.transaction(async (trx) => {
      const existing = await activeDevices(trx, [{ kind: input.sourceKind, id: input.sourceId }]);
      if (existing.has(`${input.sourceKind}:${input.sourceId}`)) {
        throw new Problem(
          'state_conflict',
          `source ${input.sourceKind}:${input.sourceId} already has an enrolled device; revoke it first`,
          {
            field: 'sourceId',
          },
        );
      }
      const row: DeviceTable = {
        id: uuid7(),
        source_kind: input.sourceKind,
        source_id: input.sourceId,
        participant: input.participant,
        name: input.name,
        public_key: key.toString('base64'),
        enrolled_at: now,
        revoked_at: null,
        revoked_reason: null,
      };
      await trx.insertInto('devices').values(row).execute();
      const device = deviceFromRow(row);
      await appendLeaves(trx, [{ kind: 'device', recordId: device.id, content: device, at: now }]);
      return device;
    });
  }

  async revoke(id: string, reason: string): Promise<Device> {
    const now = new Date().toISOString();
    return this.store.transaction(async (trx) => {
      const row = await trx.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new Problem('not_found', `no device ${id}`);
      if (row.revoked_at)
        throw new Problem('state_conflict', `device ${id} was revoked on ${row.revoked_at}`);
      await trx
        .updateTable('devices')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('id', '=', id)
        .execute();
      const device = deviceFromRow({ ...row, revoked_at: now, revoked_reason: reason });
      await appendLeaves(trx, [{ kind: 'device.revoked', recordId: id, content: device, at: now }]);
      return device;
    });
  }
}
