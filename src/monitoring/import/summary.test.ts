import { describe, expect, it } from 'vitest';
import { importSummaryIn, isImportSummary } from './summary.ts';

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
