/**
 * The four answers a C2PA check gives (trusted, untrusted, invalid, none) with and without trust
 * anchors, on the c2pa-rs samples and their own test root certificates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../kernel/config/config.ts';
import { checkContentCredentials, loadTrustAnchors } from './content-credentials.ts';

const SAMPLES = 'test/fixtures/vectors/c2pa';
const TEST_ROOTS = 'test/fixtures/c2pa-trust/test_cert_root_bundle.pem';
const UNRELATED = 'test/fixtures/c2pa-trust/unrelated-root.pem';
const sample = (file: string) => readFileSync(`${SAMPLES}/${file}`);

describe('C2PA trust anchors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guarantor-c2pa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows a good signature from a signer under a configured anchor as trusted', async () => {
    const anchors = loadTrustAnchors(TEST_ROOTS);
    expect(anchors.subjects).toHaveLength(9);
    for (const file of ['CA.jpg', 'C.jpg']) {
      const c = await checkContentCredentials(sample(file), 'image/jpeg', anchors);
      expect(c).toMatchObject({
        verdict: 'trusted',
        state: 'valid',
        validationState: 'Trusted',
        failureCodes: [],
        trustAnchors: 9,
        signer: { trusted: true, issuer: 'C2PA Test Signing Cert' },
      });
    }
  });

  it('shows a good signature as untrusted when no anchor, or no matching anchor, is configured', async () => {
    for (const anchors of [undefined, loadTrustAnchors(UNRELATED)]) {
      const c = await checkContentCredentials(sample('CA.jpg'), 'image/jpeg', anchors);
      expect(c).toMatchObject({
        verdict: 'untrusted',
        state: 'valid',
        validationState: 'Valid',
        failureCodes: ['signingCredential.untrusted'],
        trustAnchors: anchors ? 1 : 0,
        signer: { trusted: false },
      });
    }
  });

  it('shows broken credentials as invalid with their failure codes, trusted signer or not', async () => {
    const anchors = loadTrustAnchors(TEST_ROOTS);
    const tampered = await checkContentCredentials(sample('XCA.jpg'), 'image/jpeg', anchors);
    expect(tampered).toMatchObject({
      verdict: 'invalid',
      state: 'invalid',
      failureCodes: ['assertion.dataHash.mismatch'],
      signer: { trusted: true },
    });
    const badSignature = await checkContentCredentials(sample('E-sig-CA.jpg'), 'image/jpeg');
    expect(badSignature).toMatchObject({
      verdict: 'invalid',
      failureCodes: ['signingCredential.untrusted', 'claimSignature.mismatch'],
    });
  });

  it('shows a file without credentials as none, anchors or not', async () => {
    for (const anchors of [undefined, loadTrustAnchors(TEST_ROOTS)]) {
      const c = await checkContentCredentials(sample('no_manifest.jpg'), 'image/jpeg', anchors);
      expect(c).toMatchObject({ verdict: 'none', state: 'none', failureCodes: [] });
    }
    const csv = await checkContentCredentials(new TextEncoder().encode('a,b\n'), 'text/csv');
    expect(csv.verdict).toBe('none');
  });

  it('is configured by GUARANTOR_C2PA_TRUST_ANCHORS, and refuses a file that trusts nobody', () => {
    expect(loadConfig({ GUARANTOR_C2PA_TRUST_ANCHORS: TEST_ROOTS }).c2paTrustAnchors).toBe(TEST_ROOTS);
    expect(loadConfig({}).c2paTrustAnchors).toBeUndefined();

    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, '# no certificates here\n');
    const broken = join(dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    for (const [file, message] of [
      [join(dir, 'missing.pem'), /cannot read/],
      [empty, /holds no PEM certificate/],
      [broken, /certificate 1 .* is malformed/],
    ] as const) {
      expect(() => loadTrustAnchors(file)).toThrow(ConfigError);
      expect(() => loadTrustAnchors(file)).toThrow(message);
      expect(() => loadTrustAnchors(file)).toThrow(/^GUARANTOR_C2PA_TRUST_ANCHORS: /);
    }
  });
});
