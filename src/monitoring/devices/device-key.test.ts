import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { publicKeyProblem } from './device-key.ts';

interface Vector {
  number: number;
  key: string;
  flags: string[] | null;
}

const vectors = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/vectors/ed25519/cctv-ed25519vectors.json', import.meta.url),
    'utf8',
  ),
) as Vector[];

function rawPublicKey(): Uint8Array {
  const { publicKey } = generateKeyPairSync('ed25519');
  return new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
}

describe('device public keys', () => {
  it('accepts real keys', () => {
    for (let i = 0; i < 50; i++) expect(publicKeyProblem(rawPublicKey())).toBeNull();
  });

  it('refuses exactly the small-order and non-canonical keys of the CCTV edge cases', () => {
    let refused = 0;
    for (const v of vectors) {
      const flags = v.flags ?? [];
      const problem = publicKeyProblem(Uint8Array.from(Buffer.from(v.key, 'hex')));
      const shouldRefuse = flags.includes('low_order_A') || flags.includes('non_canonical_A');
      expect([v.number, problem !== null]).toEqual([v.number, shouldRefuse]);
      if (problem) refused++;
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('refuses keys of the wrong length', () => {
    expect(publicKeyProblem(new Uint8Array(31))).toBe('wrong_length');
  });
});
