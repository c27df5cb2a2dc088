import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLogKey } from './log-key.ts';
import { loadWitnessPolicy, parseWitnessPolicy, WITNESS_CONFIG_FILE } from './witness-collector.ts';
import { generateWitnessKey } from './witness-key.ts';

const a = generateWitnessKey('witness.a.invalid');
const b = generateWitnessKey('witness.b.invalid');

describe('witness configuration', () => {
  it('reads witnesses.json from the data directory, names taken from the keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guarantor-witnesses-'));
    try {
      expect(loadWitnessPolicy(dir)).toBeUndefined();
      writeFileSync(
        join(dir, WITNESS_CONFIG_FILE),
        JSON.stringify({
          quorum: 2,
          witnesses: [
            { vkey: a.vkey, url: 'https://witness.a.invalid/' },
            { name: 'witness.b.invalid', vkey: b.vkey, url: 'http://10.0.0.7:7380/w' },
          ],
        }),
      );
      expect(loadWitnessPolicy(dir)).toEqual({
        quorum: 2,
        witnesses: [
          { name: 'witness.a.invalid', vkey: a.vkey, url: 'https://witness.a.invalid' },
          { name: 'witness.b.invalid', vkey: b.vkey, url: 'http://10.0.0.7:7380/w' },
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ quorum: 3, witnesses: [{ vkey: a.vkey, url: 'http://x.invalid' }] }, /quorum of 3/],
    [{ quorum: 0, witnesses: [{ vkey: a.vkey, url: 'http://x.invalid' }] }, /quorum/],
    [
      { quorum: 1, witnesses: [{ vkey: generateLogKey().vkey, url: 'http://x.invalid' }] },
      /not a cosignature key/,
    ],
    [
      { quorum: 1, witnesses: [{ name: 'other', vkey: a.vkey, url: 'http://x.invalid' }] },
      /named witness\.a/,
    ],
    [{ quorum: 1, witnesses: [{ vkey: a.vkey, url: 'ftp://x.invalid' }] }, /witnesses\.0\.url/],
    [
      {
        quorum: 1,
        witnesses: [
          { vkey: a.vkey, url: 'http://x.invalid' },
          { vkey: a.vkey, url: 'http://y.invalid' },
        ],
      },
      /listed twice/,
    ],
  ])('refuses a configuration it cannot trust (%#)', (config, message) => {
    expect(() => parseWitnessPolicy(config)).toThrow(message);
  });
});
