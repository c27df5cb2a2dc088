/**
 * The witnessed ledger over HTTP: the latest checkpoint that a quorum of member witnesses cosigned,
 * with their cosignature lines in its note, so a member state can check it holding only the log's
 * key and the witnesses' keys (`guarantor verify` and the browser verifier open it as any note).
 */
import { z } from 'zod';
import { type RouteSpec, route } from '../http/api.ts';
import { Problem } from '../http/errors.ts';
import { toBase64 } from './bytes.ts';
import type { WitnessCollector } from './witness-collector.ts';

const witnessedSchema = z.object({
  size: z.number().int(),
  root: z.string().describe('base64 RFC 9162 root hash'),
  note: z.string().describe("the C2SP signed note: the log's signature, then the witnesses' cosignatures"),
  createdAt: z.string(),
  witnessedAt: z.string().describe('when the quorum was reached'),
  cosigners: z.array(z.string()).describe("the witnesses' key names"),
  quorum: z.number().int(),
});

/** `collector` is undefined when the deployment has no `witnesses.json`: the route then answers 404. */
export function witnessRoutes(collector: WitnessCollector | undefined): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/ledger/witnessed-checkpoint',
      operationId: 'getWitnessedCheckpoint',
      summary: 'The latest checkpoint cosigned by a quorum of member witnesses',
      tags: ['ledger'],
      responses: { 200: { description: 'The checkpoint and its cosignatures', schema: witnessedSchema } },
      errors: ['not_found'],
      handler: async ({ reply }) => {
        if (collector === undefined) throw new Problem('not_found', 'no member witnesses are configured');
        const w = await collector.latestWitnessed();
        if (w === undefined)
          throw new Problem('not_found', 'no checkpoint has been witnessed by a quorum yet');
        reply.header('cache-control', 'no-cache');
        return {
          size: w.size,
          root: toBase64(w.root),
          note: w.note,
          createdAt: w.createdAt,
          witnessedAt: w.witnessedAt,
          cosigners: w.cosigners,
          quorum: collector.policy.quorum,
        };
      },
    }),
  ];
}
