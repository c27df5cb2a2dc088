import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNdjsonText, utf8Length } from './ndjson.ts';
import { collectImport, type ImportItem } from './rows.ts';

const encoder = new TextEncoder();

/** The bytes of `text` cut at the given offsets, as an upload's chunks arrive. */
function chunked(text: string, cuts: number[]): Uint8Array[] {
  const bytes = encoder.encode(text);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(cut, bytes.length);
    if (at > from) chunks.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function streamed(text: string, cuts: number[], maxLineBytes?: number): ImportItem[] {
  return parseNdjsonText(chunked(text, cuts), maxLineBytes ? { maxLineBytes } : {});
}

describe('NDJSON import', () => {
  it('gives each object with its line, skipping blank lines and CRLF ends', () => {
    const items = parseNdjsonText('{"a":1}\r\n\r\n   \n{"b":"two"}\n\n');
    expect(items).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: { b: 'two' } },
    ]);
  });

  it('names a malformed line by its number and goes on with the next', () => {
    const { rows, errors } = collectImport(
      parseNdjsonText('{"a":1}\n{"a":\n{"b":2}\n[1,2]\n42\nnull\n{"c":3}'),
    );
    expect(rows.map((r) => r.line)).toEqual([1, 3, 7]);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'invalid_json'],
      [4, 'not_an_object'],
      [5, 'not_an_object'],
      [6, 'not_an_object'],
    ]);
    expect(errors.every((e) => !e.fatal && e.message.length > 0)).toBe(true);
  });

  it('refuses a line over the limit in UTF-8 bytes, also when it spans many chunks, and reads on', async () => {
    const long = `{"notes":"${'ж'.repeat(40)}"}`; // 40 characters of 2 bytes each
    expect(utf8Length(long)).toBe(92);
    const text = `{"a":1}\n${long}\n{"b":2}\n{"c":"${'x'.repeat(500)}"}\n{"d":4}`;
    for (const items of [
      parseNdjsonText(text, { maxLineBytes: 80 }),
      await streamed(
        text,
        Array.from({ length: 200 }, (_, i) => i * 7),
        80,
      ),
    ]) {
      expect(items.map((i) => ('error' in i ? [i.line, i.error.code] : [i.line, 'ok']))).toEqual([
        [1, 'ok'],
        [2, 'line_too_long'],
        [3, 'ok'],
        [4, 'line_too_long'],
        [5, 'ok'],
      ]);
    }
  });

  it('counts characters beyond the Basic Multilingual Plane as four bytes', () => {
    expect(utf8Length('a\u00e9\u20ac\u{1f600}')).toBe(1 + 2 + 3 + 4);
  });

  it('reads a stream of byte chunks cut anywhere, even inside a character, as it reads the whole text', async () => {
    const text = '\ufeff{"notes":"Обстріл — три вибухи 💥"}\n{"x":1}\r\n\n{"y":[1,2]}';
    const whole = parseNdjsonText(text);
    expect(whole).toHaveLength(3);
    for (let cut = 0; cut <= encoder.encode(text).length; cut++) {
      expect(await streamed(text, [cut, cut + 1, cut + 5])).toEqual(whole);
    }
  });

  const jsonObject = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 });

  it('round-trips any JSON objects with their line numbers, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonObject, { maxLength: 20 }),
        fc.array(fc.nat({ max: 4000 }), { maxLength: 6 }),
        async (objects, cuts) => {
          const text = objects.map((o) => JSON.stringify(o)).join('\n');
          const expected = objects.map((o, i) => ({ line: i + 1, value: JSON.parse(JSON.stringify(o)) }));
          expect(parseNdjsonText(text)).toEqual(expected);
          expect(collectImport(parseNdjsonText(chunked(text, cuts))).rows).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws on garbage, and gives every line its own outcome at the right line number', () => {
    // A line ending in a comma is never a complete JSON value; random text may or may not be one.
    const brokenLine = fc.string({ maxLength: 30 }).map((s) => `{${s.replace(/[\r\n]/g, '')},`);
    const anyLine = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''));
    const validLine = jsonObject.map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.array(fc.oneof(brokenLine, anyLine, validLine), { maxLength: 30 }), (lines) => {
        const items = parseNdjsonText(lines.join('\n'));
        const expected = lines.flatMap((raw, i) => {
          const line = i === 0 ? raw.replace(/^\ufeff/, '') : raw; // a leading byte-order mark is dropped
          if (line.trim() === '') return [];
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            return [[i + 1, 'invalid_json']];
          }
          return typeof value === 'object' && value !== null && !Array.isArray(value)
            ? [[i + 1, 'ok']]
            : [[i + 1, 'not_an_object']];
        });
        expect(items.map((it) => ('error' in it ? [it.line, it.error.code] : [it.line, 'ok']))).toEqual(
          expected,
        );
        for (const [i, line] of lines.entries()) {
          if (line.endsWith(',') && line.startsWith('{')) {
            expect(items.find((it) => it.line === i + 1)).toMatchObject({ error: { code: 'invalid_json' } });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
