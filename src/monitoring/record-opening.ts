/**
 * Opening a leaf: the record's committed content and its salt, released to those allowed to read the
 * record, so a member state can check that what Guarantor shows is what the ledger holds. Everyone
 * else gets the same not-found as for a record that does not exist; the leaf itself stays public.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ACCESS_LEAF_KIND } from '../access/access-events.ts';
import { principalOf, readerFor } from '../access/http-auth.ts';
import { mustBeReadable } from '../access/label-filter.ts';
import { can } from '../access/principal.ts';
import type { Action } from '../access/roles.ts';
import { type RouteSpec, route } from '../kernel/http/api.ts';
import { Problem } from '../kernel/http/errors.ts';
import { MONITORING_AUDITORS } from '../kernel/ledger/audit-records.ts';
import { commitmentOf } from '../kernel/ledger/leaf.ts';
import type { Store } from '../kernel/store/store.ts';
import { LEAF_KINDS } from './evidence/evidence-model.ts';

/** Who may open a leaf of each kind: the readers of the record it is about. */
const RELEASE: Record<string, (store: Store, req: FastifyRequest, id: string) => Promise<void>> = {
  report: (store, req, id) => mustBeReadable(store.db, 'reports', id, readerFor(req)),
  'incident.transition': incidentReaders,
  'incident.split': incidentReaders,
  'incident.merged': incidentReaders,
  // The ceasefire's geometry and the participants are public.
  zone: async () => {},
  sector: async () => {},
  participant: async () => {},
  device: mayDo('device:read'),
  'device.revoked': mayDo('device:read'),
  // Evidence, its custody and its derived copies go exactly as far as the report they support.
  [LEAF_KINDS.item]: evidenceOf(async (_store, id) => id),
  [LEAF_KINDS.custody]: evidenceOf((store, id) => itemOfRow(store, 'evidence_custody', id)),
  [LEAF_KINDS.derived]: evidenceOf((store, id) => itemOfRow(store, 'evidence_derived', id)),
  [LEAF_KINDS.notDerived]: evidenceOf((store, id) => itemOfRow(store, 'evidence_derivation_failures', id)),
  // The access trail is for those who review it: administrators all of it, others their own participant's.
  [ACCESS_LEAF_KIND]: async (store, req, id) => {
    const principal = principalOf(req);
    if (principal.kind !== 'account' || !can(principal, 'audit:read')) throw new Error('not released');
    const row = await store.db
      .selectFrom('access_events')
      .select('participant')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new Error('not released');
    if (!principal.roles.includes('administrator') && row.participant !== principal.participant)
      throw new Error('not released');
  },
};

function mayDo(action: Action) {
  return async (_store: Store, req: FastifyRequest) => {
    if (!can(principalOf(req), action)) throw new Error('not released');
  };
}

async function itemOfRow(store: Store, table: string, id: string): Promise<string | undefined> {
  // The evidence tables beyond items are typed in the evidence module; only their link is read here.
  const row = await (store.db as unknown as Kysely<Record<string, { id: string; evidence_id: string }>>)
    .selectFrom(table)
    .select('evidence_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.evidence_id;
}

function evidenceOf(itemId: (store: Store, id: string) => Promise<string | undefined>) {
  return async (store: Store, req: FastifyRequest, id: string) => {
    const item = await itemId(store, id);
    const row = item
      ? await store.db
          .selectFrom('evidence_items')
          .select('report_id')
          .where('id', '=', item)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new Error('not released');
    await mustBeReadable(store.db, 'reports', row.report_id, readerFor(req));
  };
}

function incidentReaders(store: Store, req: FastifyRequest, id: string): Promise<void> {
  return mustBeReadable(store.db, 'incidents', id, readerFor(req));
}

export function recordOpeningRoutes(store: Store): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/ledger/records/:kind/:id/opening',
      operationId: 'openRecordLeaf',
      summary: "A record's committed content and salt, for readers of the record",
      description:
        'Recompute SHA-256(salt ‖ RFC 8785 JSON of content): it is the commitment in the record’s latest leaf. Released to those who may read the record (reports and their evidence by label, incidents by the high-water label, devices to device readers, the access trail to its reviewers, the geography to all); anyone else is answered not_found.',
      tags: ['ledger'],
      params: z.object({ kind: z.string().regex(/^[a-z][a-z.-]{0,40}$/), id: z.string().min(1).max(100) }),
      responses: { 200: { description: 'The opening' } },
      errors: ['not_found', 'validation_failed', 'state_conflict'],
      async handler({ params, req }) {
        const release = RELEASE[params.kind];
        const hidden = () => new Problem('not_found', `no released record ${params.kind} ${params.id}`);
        if (!release) throw hidden();
        try {
          await release(store, req, params.id);
        } catch {
          throw hidden();
        }
        const leaf = await store.db
          .selectFrom('ledger_leaves')
          .select(['idx', 'kind', 'record_id', 'commitment', 'salt', 'at'])
          .where('record_id', '=', params.id)
          .where('kind', '=', params.kind)
          .orderBy('idx', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!leaf) throw hidden();
        const auditor = MONITORING_AUDITORS.find((a) => a.kinds.includes(leaf.kind));
        const rebuilt = (
          await auditor?.rebuild(store.db, [
            {
              idx: leaf.idx,
              kind: leaf.kind,
              recordId: leaf.record_id,
              commitment: leaf.commitment,
              salt: leaf.salt,
              at: leaf.at,
            },
          ])
        )?.get(leaf.idx);
        const content =
          rebuilt && 'candidates' in rebuilt
            ? rebuilt.candidates.find((c) => commitmentOf(leaf.salt, c) === leaf.commitment)
            : undefined;
        // The record as stored no longer gives its leaf: say so rather than hand out something else.
        if (content === undefined)
          throw new Problem(
            'state_conflict',
            'the stored record no longer matches its leaf; run guarantor audit',
          );
        return {
          kind: leaf.kind,
          id: leaf.record_id,
          leafIndex: leaf.idx,
          at: leaf.at,
          commitment: leaf.commitment,
          salt: leaf.salt,
          content,
        };
      },
    }),
  ];
}
