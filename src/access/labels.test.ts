import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATIONS,
  type Classification,
  COALITION,
  formatLabel,
  highWaterMark,
  type Label,
  labelColumns,
  labelFromColumns,
  levelOf,
  MACHINE_CLEARANCE,
  mayRead,
  normalizeLabel,
  PUBLIC_LABEL,
  PUBLIC_READER,
  type Reader,
  readerOf,
  SECRETARIAT,
} from './labels.ts';

const participant = fc.constantFrom('FRA', 'GBR', 'DEU', 'USA', 'UKR', 'NLD', 'POL');
const label: fc.Arbitrary<Label> = fc
  .record({
    classification: fc.constantFrom(...CLASSIFICATIONS),
    releasableTo: fc.uniqueArray(fc.oneof(participant, fc.constant(COALITION)), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map((l) => normalizeLabel(l));
const reader: fc.Arbitrary<Reader> = fc.oneof(
  fc.constant(PUBLIC_READER),
  fc.record({
    clearance: fc.integer({ min: 0, max: 3 }),
    names: participant.map((p) => [p, COALITION]),
    secretariat: fc.constant(false),
  }),
  fc.record({
    clearance: fc.integer({ min: 0, max: 3 }),
    names: fc.constant<string[]>([SECRETARIAT, COALITION]),
    secretariat: fc.constant(true),
  }),
);

describe('confidentiality labels', () => {
  it('default to RESTRICTED for the coalition, and read as a banner', () => {
    expect(normalizeLabel(undefined)).toEqual({ classification: 'RESTRICTED', releasableTo: [COALITION] });
    expect(
      formatLabel(normalizeLabel({ classification: 'CONFIDENTIAL', releasableTo: ['GBR', 'FRA', 'GBR'] })),
    ).toBe('CONFIDENTIAL REL TO FRA, GBR');
    expect(formatLabel(normalizeLabel({ classification: 'PUBLIC', releasableTo: ['FRA'] }))).toBe('PUBLIC');
  });

  it('survive the round trip through their stored columns', () => {
    fc.assert(
      fc.property(label, (l) => {
        expect(labelFromColumns(labelColumns(l))).toEqual(l);
      }),
    );
  });

  it('let the public read only PUBLIC records', () => {
    fc.assert(
      fc.property(label, (l) => {
        expect(mayRead(PUBLIC_READER, l)).toBe(l.classification === 'PUBLIC');
      }),
    );
  });

  it('never let a reader above their clearance, nor outside the releasability unless secretariat', () => {
    fc.assert(
      fc.property(reader, label, (r, l) => {
        if (!mayRead(r, l) || l.classification === 'PUBLIC') return;
        expect(CLASSIFICATIONS.indexOf(l.classification)).toBeLessThanOrEqual(r.clearance);
        expect(r.secretariat || l.releasableTo.some((n) => r.names.includes(n))).toBe(true);
      }),
    );
  });

  it('give an aggregate a label that only those who may read every part may read', () => {
    fc.assert(
      fc.property(reader, fc.array(label, { minLength: 1, maxLength: 6 }), (r, parts) => {
        const whole = highWaterMark(parts);
        if (mayRead(r, whole)) for (const p of parts) expect(mayRead(r, p)).toBe(true);
      }),
    );
  });

  it('keep an aggregate of one record at that record’s label', () => {
    fc.assert(
      fc.property(label, (l) => {
        expect(highWaterMark([l])).toEqual(l);
      }),
    );
  });

  const account = (clearance: Classification, participant = 'FRA') =>
    readerOf({
      kind: 'account',
      via: 'session',
      accountId: 'a',
      participant,
      roles: ['analyst'],
      clearance,
      sessionId: 's',
      totpEnrolmentRequired: false,
      demo: false,
    });

  it('clear an account as its record says, for its own participant and the coalition', () => {
    const r = account('CONFIDENTIAL');
    expect(mayRead(r, normalizeLabel({ classification: 'CONFIDENTIAL', releasableTo: ['FRA'] }))).toBe(true);
    expect(mayRead(r, normalizeLabel({ classification: 'CONFIDENTIAL', releasableTo: ['GBR'] }))).toBe(false);
    expect(mayRead(r, normalizeLabel({ classification: 'SECRET', releasableTo: ['FRA'] }))).toBe(false);
    const secret = account('SECRET');
    expect(mayRead(secret, normalizeLabel({ classification: 'SECRET', releasableTo: ['FRA'] }))).toBe(true);
    expect(mayRead(secret, normalizeLabel({ classification: 'SECRET', releasableTo: ['GBR'] }))).toBe(false);
    expect(
      mayRead(
        account('SECRET', SECRETARIAT),
        normalizeLabel({ classification: 'SECRET', releasableTo: ['GBR'] }),
      ),
    ).toBe(true);
    expect(
      mayRead(account('PUBLIC'), normalizeLabel({ classification: 'RESTRICTED', releasableTo: [COALITION] })),
    ).toBe(false);
    expect(mayRead(account('PUBLIC'), PUBLIC_LABEL)).toBe(true);
  });

  it('read exactly the classifications up to an account’s clearance', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CLASSIFICATIONS), label, (clearance, l) => {
        const reader = account(clearance, 'FRA');
        const releasable =
          l.classification === 'PUBLIC' || l.releasableTo.some((n) => n === 'FRA' || n === COALITION);
        expect(mayRead(reader, l)).toBe(releasable && levelOf(l.classification) <= levelOf(clearance));
      }),
    );
  });

  it('clear machines to RESTRICTED, whatever their participant', () => {
    const machine = readerOf({ kind: 'machine', machine: 'm', participant: 'FRA', tokenId: 't', scopes: [] });
    expect(machine.clearance).toBe(levelOf(MACHINE_CLEARANCE));
    expect(mayRead(machine, normalizeLabel({ classification: 'CONFIDENTIAL', releasableTo: ['FRA'] }))).toBe(
      false,
    );
  });
});
