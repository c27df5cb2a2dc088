/**
 * The C2PA samples from c2pa-rs give the results recorded in results.json (measured with
 * @contentauth/c2pa-wasm 0.15.0, no trust anchors), including the one-bit tamper case.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkContentCredentials } from '../src/monitoring/evidence/content-credentials.ts';

const dir = 'test/fixtures/vectors/c2pa';

interface Recorded {
  file: string;
  validation_state?: string;
  active_assertions?: string;
  failure_codes?: string;
  success_code_count?: number;
  result?: string;
  detail?: string;
}

const recorded = (JSON.parse(readFileSync(`${dir}/results.json`, 'utf8')) as { results: Recorded[] }).results;
const list = (s: string | undefined) => (s ?? '[]').slice(1, -1).split(',').filter(Boolean);

function sample(file: string): Uint8Array {
  if (file === 'CA.jpg 1-bit tampered') {
    const bytes = readFileSync(`${dir}/CA.jpg`);
    bytes[bytes.length - 5000]! ^= 1;
    return bytes;
  }
  return readFileSync(`${dir}/${file}`);
}

describe('C2PA content credentials', () => {
  it('covers every recorded sample', () => {
    expect(recorded.map((r) => r.file).sort()).toEqual(
      ['C.jpg', 'CA.jpg', 'CA.jpg 1-bit tampered', 'E-sig-CA.jpg', 'XCA.jpg', 'no_manifest.jpg'].sort(),
    );
  });

  for (const r of recorded) {
    it(`${r.file}: ${r.validation_state ?? r.result}`, async () => {
      const c = await checkContentCredentials(sample(r.file), 'image/jpeg');
      if (r.result === 'error') {
        expect(r.detail).toContain('JumbfNotFound');
        expect(c).toMatchObject({ state: 'none', failureCodes: [], detail: 'JumbfNotFound' });
        return;
      }
      expect(c.validationState).toBe(r.validation_state);
      expect(c.state).toBe(r.validation_state === 'Valid' ? 'valid' : 'invalid');
      expect(c.failureCodes).toEqual(list(r.failure_codes));
      expect(c.successCodeCount).toBe(r.success_code_count);
      expect(c.assertions).toEqual(list(r.active_assertions));
      // No trust anchors are configured: a good signature from an unknown signer is shown as such.
      expect(c.signer).toMatchObject({ trusted: false, issuer: 'C2PA Test Signing Cert' });
    });
  }

  it('does not look for credentials in sensor files', async () => {
    const c = await checkContentCredentials(new TextEncoder().encode('a,b\n1,2\n'), 'text/csv');
    expect(c.state).toBe('none');
  });
});
