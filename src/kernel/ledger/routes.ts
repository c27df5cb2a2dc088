/**
 * The ledger over HTTP: checkpoints and proofs as JSON under /api/v1/ledger, and the log as C2SP
 * tlog-tiles static paths under /ledger/ (checkpoint, tiles, entry bundles, verifier key), so any
 * tlog-tiles client or a plain mirror can follow it. Records' content and salts are not served here:
 * releasing them waits for access control.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type RouteSpec, route } from '../http/api.ts';
import { Problem } from '../http/errors.ts';
import { toBase64 } from './bytes.ts';
import { LedgerRangeError, type LedgerService, type SignedCheckpoint } from './ledger-service.ts';
import { parseTilePath } from './tiles.ts';
import { VerificationError } from './verification-error.ts';

const size = z.coerce.number().int('a tree size is an integer').min(0).max(Number.MAX_SAFE_INTEGER);

const checkpointSchema = z.object({
  size: z.number().int(),
  root: z.string().describe('base64 RFC 9162 root hash'),
  note: z.string().describe('the C2SP signed note, as served at /ledger/checkpoint'),
  createdAt: z.string(),
});

const proofSchema = z.array(z.string()).describe('base64 hashes, RFC 9162 order');

function checkpointJson(c: SignedCheckpoint) {
  return { size: c.size, root: toBase64(c.root), note: c.note, createdAt: c.createdAt };
}

/** Service range errors are the client's: a 400 naming the parameter. */
async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof LedgerRangeError) {
      throw new Problem('validation_failed', e.message, e.field ? { field: e.field } : {});
    }
    throw e;
  }
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

function sendBytes(reply: FastifyReply, bytes: Uint8Array, full: boolean) {
  return reply
    .header('cache-control', full ? IMMUTABLE : 'public, max-age=60')
    .type('application/octet-stream')
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function tileFromUrl(prefix: string, wildcard: string) {
  const path = `${prefix}${wildcard}`;
  try {
    return parseTilePath(path);
  } catch (e) {
    // Malformed names and levels past 63 (a RangeError) alike: there is no such file.
    if (e instanceof VerificationError || e instanceof RangeError)
      throw new Problem('not_found', `no tile ${path}`);
    throw e;
  }
}

const wildcard = z.object({ '*': z.string().max(200) });

/** The member witnesses a deployment trusts: public keys only, as witnesses.json lists them. */
export interface PublishedWitnesses {
  quorum: number;
  witnesses: readonly { name: string; vkey: string }[];
}

export interface LedgerRouteOptions {
  /** Adds the witnesses' cosignatures gathered so far to a checkpoint before it is served. */
  present?: (checkpoint: SignedCheckpoint) => Promise<SignedCheckpoint>;
  /** The configured witnesses, so a reader can check their cosignatures; none when absent. */
  witnesses?: PublishedWitnesses;
}

const witnessesSchema = z.object({
  quorum: z.number().int().describe('cosignatures a checkpoint needs to count as witnessed; 0 when none'),
  witnesses: z.array(
    z.object({
      name: z.string(),
      vkey: z.string().describe('cosignature verifier key (signed-note type 0x04)'),
    }),
  ),
});

/** A record is written under several kinds as it changes (an incident: transition, split, merged). */
const kindList = z
  .string()
  .max(1000)
  .transform((s) => s.split(','))
  .pipe(z.array(z.string().min(1, 'a kind is not empty').max(100)).min(1).max(10, 'at most 10 kinds'));

export function ledgerRoutes(ledger: LedgerService, options: LedgerRouteOptions = {}): RouteSpec[] {
  const latest = async () => (await ledger.latestCheckpoint()) ?? (await ledger.checkpoint());
  const present = options.present ?? (async (c: SignedCheckpoint) => c);
  return [
    route({
      method: 'GET',
      url: '/api/v1/ledger/checkpoint',
      operationId: 'getLedgerCheckpoint',
      summary: 'The latest signed checkpoint of the ledger',
      tags: ['ledger'],
      responses: { 200: { description: 'The checkpoint', schema: checkpointSchema } },
      errors: [],
      handler: async () => checkpointJson(await present(await latest())),
    }),
    route({
      method: 'POST',
      url: '/api/v1/ledger/checkpoints',
      operationId: 'makeLedgerCheckpoint',
      summary: 'Sign a checkpoint of the ledger now',
      description: 'Returns the latest checkpoint unchanged when no leaf was added since.',
      tags: ['ledger'],
      responses: { 201: { description: 'The checkpoint', schema: checkpointSchema } },
      errors: [],
      handler: async ({ reply }) => {
        reply.status(201);
        return checkpointJson(await ledger.checkpoint());
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/ledger/proofs/inclusion',
      operationId: 'getInclusionProof',
      summary: 'Inclusion proof of a leaf in the tree of a size',
      description: 'size defaults to the latest checkpoint.',
      tags: ['ledger'],
      query: z.object({ index: size, size: size.optional() }),
      responses: {
        200: {
          description: 'The proof',
          schema: z.object({
            leafIndex: z.number().int(),
            treeSize: z.number().int(),
            leafHash: z.string(),
            proof: proofSchema,
          }),
        },
      },
      errors: ['validation_failed'],
      handler: async ({ query }) =>
        asProblem(async () => {
          const treeSize = query.size ?? (await latest()).size;
          const proof = await ledger.inclusionProof(query.index, treeSize);
          const leafHash = await ledger.leafHash(query.index, treeSize);
          return {
            leafIndex: query.index,
            treeSize,
            leafHash: toBase64(leafHash),
            proof: proof.map(toBase64),
          };
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/ledger/proofs/consistency',
      operationId: 'getConsistencyProof',
      summary: 'Consistency proof between two tree sizes',
      description: 'to defaults to the latest checkpoint.',
      tags: ['ledger'],
      query: z.object({ from: size, to: size.optional() }),
      responses: {
        200: {
          description: 'The proof',
          schema: z.object({ from: z.number().int(), to: z.number().int(), proof: proofSchema }),
        },
      },
      errors: ['validation_failed'],
      handler: async ({ query }) =>
        asProblem(async () => {
          const to = query.to ?? (await latest()).size;
          const proof = await ledger.consistencyProof(query.from, to);
          return { from: query.from, to, proof: proof.map(toBase64) };
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/ledger/records/:kind/:id',
      operationId: 'getRecordProof',
      summary: "A record's leaf and its inclusion proof against the latest checkpoint",
      description:
        'For a record with several leaves (an incident that changed), the most recent; leafIndexes lists them all. The commitment hides the content until its salt is released.',
      tags: ['ledger'],
      params: z.object({
        kind: z.string().min(1).max(100),
        id: z.string().min(1).max(200),
      }),
      responses: {
        200: {
          description: 'The leaf and its proof',
          schema: z.object({
            kind: z.string(),
            id: z.string(),
            leafIndex: z.number().int(),
            leafHash: z.string(),
            commitment: z.string(),
            at: z.string(),
            treeSize: z.number().int(),
            proof: proofSchema,
            checkpoint: checkpointSchema,
            leafIndexes: z.array(z.number().int()),
          }),
        },
      },
      errors: ['not_found'],
      handler: async ({ params }) => {
        const p = await ledger.proofForRecord(params.kind, params.id);
        if (p === undefined || p.checkpoint === undefined) {
          throw new Problem('not_found', `no ledger leaf for ${params.kind} ${params.id}`);
        }
        return {
          kind: p.kind,
          id: p.recordId,
          leafIndex: p.leafIndex,
          leafHash: toBase64(p.leafHash),
          commitment: p.commitment,
          at: p.at,
          treeSize: p.treeSize,
          proof: p.proof.map(toBase64),
          checkpoint: checkpointJson(p.checkpoint),
          leafIndexes: p.leafIndexes,
        };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/ledger/inclusion',
      operationId: 'getRecordInclusion',
      summary: "A record's latest leaf in the tree of a size, with its inclusion proof",
      description:
        'The browser and other readers ask against the size of a checkpoint they verified (the latest witnessed one), so the proof ties the record to a root they already trust. leaf is null when the record has no leaf of these kinds below size: it was recorded later, or never under these kinds. laterLeafIndexes lists leaves of the record past size that are known from the kinds that had one below it.',
      tags: ['ledger'],
      query: z.object({ id: z.string().min(1).max(200), kinds: kindList, size }),
      responses: {
        200: {
          description: 'The leaf and its proof, or null',
          schema: z.object({
            id: z.string(),
            treeSize: z.number().int(),
            leaf: z
              .object({
                kind: z.string(),
                leafIndex: z.number().int(),
                leafHash: z.string().describe('base64'),
                commitment: z.string().describe('hex SHA-256(salt || canonical content)'),
                at: z.string(),
                proof: proofSchema,
              })
              .nullable(),
            laterLeafIndexes: z.array(z.number().int()),
          }),
        },
      },
      errors: ['validation_failed'],
      handler: async ({ query }) =>
        asProblem(async () => {
          const stored = await ledger.treeSize();
          if (query.size > stored) {
            throw new LedgerRangeError(`size ${query.size} is beyond the tree's ${stored} leaves`, 'size');
          }
          const kinds = [...new Set(query.kinds)];
          // One lookup per kind; a record has a handful of kinds, and each lookup is indexed.
          const found = [];
          for (const kind of kinds) {
            const p = await ledger.proofForRecord(kind, query.id, query.size);
            if (p !== undefined) found.push(p);
          }
          const latest = found.reduce<(typeof found)[number] | undefined>(
            (a, b) => (a === undefined || b.leafIndex > a.leafIndex ? b : a),
            undefined,
          );
          const later = found.flatMap((p) => p.leafIndexes.filter((i) => i >= query.size));
          return {
            id: query.id,
            treeSize: query.size,
            leaf: latest
              ? {
                  kind: latest.kind,
                  leafIndex: latest.leafIndex,
                  leafHash: toBase64(latest.leafHash),
                  commitment: latest.commitment,
                  at: latest.at,
                  proof: latest.proof.map(toBase64),
                }
              : null,
            laterLeafIndexes: later.sort((a, b) => a - b),
          };
        }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/ledger/witnesses',
      operationId: 'getLedgerWitnesses',
      summary: 'The member witnesses whose cosignatures count, with their keys and the quorum',
      description:
        'Readers check cosignatures with these keys. Like /ledger/vkey they come from the log itself: a member state checks them against the keys it exchanged with the other witnesses.',
      tags: ['ledger'],
      responses: {
        200: {
          description: 'The witnesses; an empty list when none are configured',
          schema: witnessesSchema,
        },
      },
      errors: [],
      handler: async () => ({
        quorum: options.witnesses?.quorum ?? 0,
        witnesses: (options.witnesses?.witnesses ?? []).map((w) => ({ name: w.name, vkey: w.vkey })),
      }),
    }),
    route({
      method: 'GET',
      url: '/ledger/checkpoint',
      operationId: 'getTlogCheckpoint',
      summary: 'C2SP tlog-tiles: the latest signed checkpoint note',
      tags: ['ledger'],
      responses: { 200: { description: 'The signed note', contentTypes: ['text/plain; charset=utf-8'] } },
      errors: [],
      handler: async ({ reply }) =>
        reply
          .header('cache-control', 'no-cache')
          .type('text/plain; charset=utf-8')
          .send((await present(await latest())).note),
    }),
    route({
      method: 'GET',
      url: '/ledger/vkey',
      operationId: 'getLedgerVerifierKey',
      summary: "The log's signed-note verifier key",
      description:
        'Check it against the key you were given out of band; a verifier must not learn its key from the log.',
      tags: ['ledger'],
      responses: {
        200: { description: 'The verifier key line', contentTypes: ['text/plain; charset=utf-8'] },
      },
      errors: [],
      handler: async ({ reply }) => reply.type('text/plain; charset=utf-8').send(`${ledger.vkey}\n`),
    }),
    route({
      method: 'GET',
      url: '/ledger/tile/entries/*',
      operationId: 'getTlogEntryBundle',
      summary: 'C2SP tlog-tiles: an entry bundle (each entry is a leaf data)',
      tags: ['ledger'],
      params: wildcard,
      responses: { 200: { description: 'The bundle', contentTypes: ['application/octet-stream'] } },
      errors: ['not_found'],
      handler: async ({ params, reply }) => {
        const tile = tileFromUrl('tile/entries/', params['*']);
        const bytes = await ledger.entryBundle(tile.index, tile.width);
        if (bytes === undefined) throw new Problem('not_found', 'the ledger has no such entry bundle yet');
        return sendBytes(reply, bytes, tile.width === 256);
      },
    }),
    route({
      method: 'GET',
      url: '/ledger/tile/:level/*',
      operationId: 'getTlogTile',
      summary: 'C2SP tlog-tiles: a Merkle tree tile, full or partial (.p/<W>)',
      tags: ['ledger'],
      params: z.object({ level: z.string().max(3), '*': z.string().max(200) }),
      responses: { 200: { description: 'The tile hashes', contentTypes: ['application/octet-stream'] } },
      errors: ['not_found'],
      handler: async ({ params, reply }) => {
        const tile = tileFromUrl(`tile/${params.level}/`, params['*']);
        if (tile.level === 'entries') throw new Problem('not_found', 'no such tile');
        const bytes = await ledger.tile(tile.level, tile.index, tile.width);
        if (bytes === undefined) throw new Problem('not_found', 'the ledger has no such tile yet');
        return sendBytes(reply, bytes, tile.width === 256);
      },
    }),
  ];
}
