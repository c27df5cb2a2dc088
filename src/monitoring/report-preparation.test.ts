/**
 * A report's body hash is the SHA-256 of the canonical JSON (RFC 8785) of what its client said. The
 * hot path writes that JSON with JSON.stringify over the input rebuilt in canonical member order; these
 * tests hold it to the general canonicaliser over every member the schema allows, so that a stored
 * hash never changes meaning.
 */
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASSIFICATIONS, isDefaultLabel, type Label, normalizeLabel } from '../access/labels.ts';
import { canonicalJson } from '../kernel/ledger/canonical.ts';
import type { ReportTable } from '../kernel/store/schema.ts';
import type { Enrichment } from './enrich.ts';
import { utc } from './report-model.ts';
import { bodyHash, ledgerContent, saidInCanonicalOrder } from './report-preparation.ts';
import {
  EVENT_TYPES,
  GEO_PRECISIONS,
  MEANS,
  type ReportInput,
  reportInputSchema,
  SOURCE_KINDS,
  TIME_PRECISIONS,
  WEAPON_CLASSES,
} from './report-schema.ts';

/** The definition: the input without its signature, times in UTC, the label unless it is the default. */
function canonicalSaid(input: ReportInput, label: Label): string {
  const { signature: _signature, label: _label, ...said } = input;
  const normalized: Record<string, unknown> = {
    ...said,
    observedFrom: utc(input.observedFrom),
    observedTo: utc(input.observedTo),
  };
  if (!isDefaultLabel(label)) normalized.label = label;
  return canonicalJson(normalized);
}

const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\u0000'));
const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const estimate = fc
  .tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000))
  .map((n) => n.sort((a, b) => a - b))
  .map(([low, best, high]) => ({ low, best, high }));
const offsetTime = fc
  .tuple(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 5, 1) }), fc.constantFrom('Z', '+02:00'))
  .map(([ms, zone]) => {
    const shifted = zone === 'Z' ? ms : ms + 2 * 3_600_000;
    return new Date(shifted).toISOString().replace('Z', zone);
  });

/** Any valid report, with every optional member present or not, as a client might write it. */
const report = fc
  .record(
    {
      clientInstanceId: text,
      source: fc.record({
        kind: fc.constantFrom(...SOURCE_KINDS),
        id: text,
        participant: fc.constantFrom('UKR', 'FRA', 'OSCE-SMM'),
      }),
      observedFrom: offsetTime,
      span: fc.nat(86_400_000),
      timePrecision: fc.constantFrom(...TIME_PRECISIONS),
      observer: fc.record(
        { lon: finite(-180, 180), lat: finite(-90, 90), accuracyM: finite(0, 100_000) },
        { requiredKeys: ['lon', 'lat'] },
      ),
      event: fc.oneof(
        fc.record({ lon: finite(-180, 180), lat: finite(-90, 90) }),
        fc.record(
          {
            bearingDeg: finite(0, 360),
            distanceKm: fc.tuple(finite(0, 50), finite(50, 100)),
          },
          { requiredKeys: ['distanceKm'] },
        ),
      ),
      geoPrecision: fc.constantFrom(...GEO_PRECISIONS),
      type: fc.constantFrom(...EVENT_TYPES),
      weaponClass: fc.constantFrom(...WEAPON_CLASSES),
      count: fc.integer({ min: 1, max: 100_000 }),
      countApproximate: fc.boolean(),
      means: fc.constantFrom(...MEANS),
      claimedAttribution: text,
      casualties: fc.record(
        { civilian: estimate, military: estimate, unknown: estimate },
        { requiredKeys: [] },
      ),
      notes: fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000')),
      lang: fc.constantFrom('en', 'uk', 'fr-CA'),
      supersedes: fc.uuid({ version: 7 }),
      label: fc.record(
        {
          classification: fc.constantFrom(...CLASSIFICATIONS),
          releasableTo: fc.subarray(['COALITION', 'FRA', 'UKR', 'USA', 'GBR']),
        },
        { requiredKeys: ['classification'] },
      ),
    },
    {
      requiredKeys: [
        'clientInstanceId',
        'source',
        'observedFrom',
        'span',
        'observer',
        'event',
        'type',
        'means',
      ],
    },
  )
  .map(({ span, ...r }) => ({
    ...r,
    observedTo: new Date(Date.parse(r.observedFrom) + span).toISOString(),
  }));

describe('a report body in canonical order', () => {
  it('is written by JSON.stringify exactly as the canonicaliser writes the report as said', () => {
    fc.assert(
      fc.property(report, (raw) => {
        const input = reportInputSchema.parse(raw);
        const label = normalizeLabel(input.label);
        const expected = canonicalSaid(input, label);
        expect(JSON.stringify(saidInCanonicalOrder(input, label))).toBe(expected);
        expect(bodyHash(input, label)).toBe(hash('sha256', expected, 'hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the hash a stored report already has', () => {
    const input = reportInputSchema.parse({
      clientInstanceId: 'pinned-1',
      source: { kind: 'patrol', id: 'P-1', participant: 'POL' },
      observedFrom: '2026-11-01T12:00:00+02:00',
      observedTo: '2026-11-01T12:05:00+02:00',
      observer: { lon: 37.65381595847163, lat: 49.88312581292276, accuracyM: 30 },
      event: { bearingDeg: 93, distanceKm: [2.2, 3.2] },
      type: 'impact',
      means: 'seen',
      casualties: { civilian: { low: 0, best: 1, high: 2 } },
      notes: 'Zwei Einschläge «ï»',
      lang: 'de',
    });
    expect(bodyHash(input)).toBe(hash('sha256', canonicalSaid(input, normalizeLabel(undefined)), 'hex'));
    expect(bodyHash(input)).toMatchInlineSnapshot(
      `"631cbb11563a3c60b06e70a57b395e5575cdf7544347dd1a7d110a2229a2ce7f"`,
    );
  });
});

describe("a report's ledger content", () => {
  it('commits to what it always did, written in canonical order at every level', () => {
    const row = {
      id: '01900000-0000-7000-8000-000000000001',
      received_at: '2026-11-30T10:00:00.000Z',
      body_hash: 'ab'.repeat(32),
      device_id: 'device-1',
      signature: 'c2ln',
    } as ReportTable;
    const e: Enrichment = {
      estimated: { lon: 37.6538159584716, lat: 49.88312581292276, uncertaintyM: 412.5, method: 'bearing' },
      oblast: 'UA-14',
      sectorId: 'S-2',
      zone: {
        contactLineKm: 3.25,
        inBufferZone: true,
        zoneIds: ['buffer-1'],
        withdrawalViolation: {
          zoneId: 'wl-artillery',
          zoneName: 'Artillery withdrawal line',
          weaponClass: 'artillery_100mm_plus',
          requiredKm: 15,
          actualKm: 3.25,
        },
      },
    };
    const content = ledgerContent(row, e);
    // As the content was written before it was put in order: the same members, in any order.
    const asBefore = {
      id: row.id,
      receivedAt: row.received_at,
      bodyHash: row.body_hash,
      signature: { deviceId: row.device_id, value: row.signature },
      estimated: e.estimated,
      oblast: e.oblast,
      sectorId: e.sectorId,
      zone: e.zone,
    };
    expect(canonicalJson(content)).toBe(canonicalJson(asBefore));
    expect(JSON.stringify(content)).toBe(canonicalJson(asBefore));
  });
});
