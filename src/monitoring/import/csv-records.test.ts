import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecordReader, type CsvSyntaxError, readRecords } from './csv-records.ts';

type Outcome = { records: [number, string[]][]; error?: CsvSyntaxError };

function readWhole(text: string): Outcome {
  const records: [number, string[]][] = [];
  const { error } = readRecords(text, 1, 0x2c, (cells, line) => records.push([line, cells]));
  return error ? { records, error } : { records };
}

function readChunked(text: string, cuts: number[], maxRecordChars?: number): Outcome {
  const records: [number, string[]][] = [];
  const sink = (cells: string[], line: number) => records.push([line, cells]);
  const reader = new CsvRecordReader(maxRecordChars ? { maxRecordChars } : {});
  let from = 0;
  for (const cut of [...cuts, text.length].sort((a, b) => a - b)) {
    const error = reader.push(text.slice(from, Math.max(from, cut)), sink);
    from = Math.max(from, cut);
    if (error) return { records, error };
  }
  const error = reader.end(sink);
  return error ? { records, error } : { records };
}

/** A cell as a careful writer puts it: quoted when it must be, and sometimes when it need not be. */
const encodeCell = (cell: string, quote: boolean) =>
  quote || /[",\r\n]/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell;

describe('CSV records', () => {
  it('gives each record with the line it starts on, quoted line breaks included', () => {
    const text = 'a,b\n"one\ntwo\nthree",x\n\n"say ""hi""",\r\nlast,"tail\r\n"';
    expect(readWhole(text)).toEqual({
      records: [
        [1, ['a', 'b']],
        [2, ['one\ntwo\nthree', 'x']],
        [6, ['say "hi"', '']],
        [7, ['last', 'tail\r\n']],
      ],
    });
  });

  it('stops at a quote left open, naming the line where its record starts', () => {
    expect(readWhole('a,b\n1,2\n3,"open\n4,5\n6,7\n')).toEqual({
      records: [
        [1, ['a', 'b']],
        [2, ['1', '2']],
      ],
      error: { line: 3, message: 'cell 2: a quoted cell is not closed', unclosed: true },
    });
  });

  it('stops at a quote inside an unquoted cell and at text after a closing quote', () => {
    expect(readWhole('a,b\n1,5" gun\n3,4\n').error).toMatchObject({
      line: 2,
      message: expect.stringContaining('cell 2'),
    });
    expect(readWhole('a,b\n"x\ny"z,1\n').error).toMatchObject({
      line: 2,
      message: expect.stringContaining('(line 3)'),
    });
  });

  it('does not hold an endless record in memory: an open quote is reported once it runs over the limit', () => {
    const text = `a,b\n1,2\n3,"${'x'.repeat(300)}\n4,5\n`;
    const cuts = Array.from({ length: 40 }, (_, i) => i * 10);
    const { records, error } = readChunked(text, cuts, 100);
    expect(records).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
    expect(error).toEqual({
      line: 3,
      message: 'cell 2: a quoted cell is not closed within 100 characters',
      unclosed: true,
    });
    const unended = readChunked(`a,b\n${'y'.repeat(300)}`, cuts, 100);
    expect(unended.error).toMatchObject({ line: 2, tooLong: true });
  });

  it('reads back any grid of cells that a writer quoted correctly, at the right lines', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', 'ж', ' ', ',', '"', '\n', '\r\n', '💥'),
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(cell, fc.boolean()), { minLength: 1, maxLength: 5 }), { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        (grid, eol) => {
          const lines = grid.map((row) =>
            row.map(([c, q]) => encodeCell(c, q || row.length === 1)).join(','),
          );
          const text = lines.join(eol);
          let line = 1;
          const expected = grid.map((row, i) => {
            const at = line;
            line += (lines[i]!.match(/\n/g)?.length ?? 0) + 1;
            return [at, row.map(([c]) => c)];
          });
          expect(readWhole(text)).toEqual({ records: expected });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with csv-parse on arbitrary text: the same records, and an error wherever csv-parse has one', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'ж', ' ', ',', '"', '\n'), maxLength: 40 });
    fc.assert(
      fc.property(text, (t) => {
        let expected: string[][] | undefined;
        try {
          expected = csvParse(t, { relax_column_count: true, skip_empty_lines: true }) as string[][];
        } catch {
          expected = undefined;
        }
        const ours = readWhole(t);
        if (expected === undefined) expect(ours.error).toBeDefined();
        else expect(ours).toEqual({ records: ours.records.map(([l], i) => [l, expected![i]]) });
        if (expected) expect(ours.records).toHaveLength(expected.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a text cut into chunks anywhere exactly as the whole text, errors included', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' '), maxLength: 60 });
    fc.assert(
      fc.property(text, fc.array(fc.nat({ max: 70 }), { maxLength: 8 }), (t, cuts) => {
        expect(readChunked(t, cuts)).toEqual(readWhole(t));
      }),
      { numRuns: 1000 },
    );
  });
});
