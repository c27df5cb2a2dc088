import { describe, expect, it } from 'vitest';
import { importOutcome, importSummaryIn, isImportSummary } from './summary.ts';

const summary = {
  accepted: 0,
  rejected: 1,
  duplicates: 0,
  errors: [{ line: 2, field: 'type', code: 'invalid_enum_value', message: 'not a report type' }],
  errorsTruncated: false,
  rolledBack: true,
  stoppedAtLine: null,
};

describe('reading an import’s answer', () => {
  it('finds the summary whether the import landed or all-or-nothing refused it', () => {
    expect(importSummaryIn(summary)).toBe(summary);
    expect(importSummaryIn({ code: 'import_rejected', status: 422, summary })).toBe(summary);
  });

  it('finds none in any other answer', () => {
    for (const answer of [
      null,
      'accepted',
      42,
      [],
      { code: 'import_rejected' },
      { code: 'payload_too_large', summary },
      { code: 'import_rejected', summary: { accepted: 1 } },
      { accepted: '1', rejected: 0, errors: [] },
    ]) {
      expect(importSummaryIn(answer)).toBeUndefined();
    }
    expect(isImportSummary({ code: 'import_rejected' })).toBe(false);
  });
});

describe('an import’s outcome in words', () => {
  const landed = { ...summary, accepted: 3, rejected: 0, errors: [], rolledBack: false };

  it('says what happened in one sentence', () => {
    expect(importOutcome(landed)).toBe('3 reports imported.');
    expect(importOutcome({ ...landed, accepted: 1, duplicates: 2, rejected: 1, stoppedAtLine: 9 })).toBe(
      '1 report imported, 2 duplicates skipped, 1 row refused. The file could not be read past line 9.',
    );
    expect(importOutcome({ ...landed, accepted: 0, rejected: 2, rolledBack: true })).toMatch(
      /^Nothing was imported: 2 rows were refused/,
    );
  });
});
