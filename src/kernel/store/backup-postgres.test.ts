import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyRows, unescapeCopyField } from './backup-postgres.ts';

/** PostgreSQL's COPY text escaping, as pg_dump writes it. */
function copyEscape(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(
    /[\\\b\f\n\r\t\v]/g,
    (c) => `\\${{ '\\': '\\', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v' }[c]}`,
  );
}

describe('reading ledger rows out of a pg_dump', () => {
  it('unescapes every field pg_dump can write', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: null }), (v) => {
        expect(unescapeCopyField(copyEscape(v))).toBe(v);
      }),
    );
    expect(unescapeCopyField('a\\x41\\101')).toBe('aAA');
  });

  it('reads only the named table, by column name, up to the end marker', async () => {
    const sql = [
      'SET statement_timeout = 0;',
      'COPY t_1.ledger_tiles (level, idx) FROM stdin;',
      '0\t0',
      '\\.',
      'COPY t_1.ledger_leaves (idx, kind, record_id, at) FROM stdin;',
      '0\treport\tr-1\t2026-01-01T00:00:00.000Z',
      '1\tzone\tz\\t2\t\\N',
      '\\.',
      '2\tnot\tpart\tof it',
    ];
    const rows = [];
    for await (const r of copyRows(sql, 'ledger_leaves')) rows.push(r);
    expect(rows).toEqual([
      { idx: '0', kind: 'report', record_id: 'r-1', at: '2026-01-01T00:00:00.000Z' },
      { idx: '1', kind: 'zone', record_id: 'z\t2', at: null },
    ]);
  });
});
