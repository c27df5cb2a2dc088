/**
 * C2PA content credentials, checked with the Content Authenticity Initiative's own reader
 * (`@contentauth/c2pa-wasm`, c2pa-rs compiled to WebAssembly) so that Guarantor's answer is the
 * reference implementation's answer.
 *
 * A manifest whose signature and hashes hold is only as good as its signer. Whose certificates to
 * believe is the deployment's decision: the trust anchors in `GUARANTOR_C2PA_TRUST_ANCHORS` (a PEM
 * file). A valid manifest whose signer chains to none of them (or when none are configured) is
 * `untrusted`, shown as such beside `trusted`, `invalid` and `none`, never folded into `valid`.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';
import { ConfigError } from '../../kernel/config/config.ts';
import {
  type ContentCredentials,
  NO_MANIFEST,
  NOT_APPLICABLE_DETAIL,
  verdictOf,
} from './credentials-verdict.ts';
import type { EvidenceMediaType } from './media-type.ts';

export type { ContentCredentials, CredentialsVerdict } from './credentials-verdict.ts';

/** Certificates whose signers' content credentials are believed. */
export interface TrustAnchors {
  /** The certificates, PEM, as the reader takes them. */
  pem: string;
  /** Subjects, to say in logs what is trusted. */
  subjects: string[];
  /** The reader's settings (c2pa-rs `trust.trust_anchors`), made once. */
  context: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads a PEM file of trust anchor certificates. Refuses, naming the variable, a file that cannot be
 * read or holds no certificate or a malformed one: the reader would otherwise silently trust nobody
 * (or refuse every file), and a deployment must not believe it trusts signers it does not.
 */
export function loadTrustAnchors(file: string, variable = 'GUARANTOR_C2PA_TRUST_ANCHORS'): TrustAnchors {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${(e as Error).message}`);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError(`${variable}: ${file} holds no PEM certificate`);
  const subjects = blocks.map((block, i) => {
    try {
      return new X509Certificate(block).subject.replace(/\n/g, ', ');
    } catch (e) {
      throw new ConfigError(
        `${variable}: certificate ${i + 1} in ${file} is malformed: ${(e as Error).message}`,
      );
    }
  });
  const pem = `${blocks.join('\n')}\n`;
  return { pem, subjects, context: JSON.stringify({ trust: { trust_anchors: pem } }) };
}

/** The reader cannot look inside these, so they have no credentials to check. */
const NOT_APPLICABLE = new Set<EvidenceMediaType>(['text/csv', 'application/json', 'application/x-ndjson']);

let ready = false;

function init(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });
  ready = true;
}

interface StatusEntry {
  code?: unknown;
}

interface ManifestStore {
  validation_state?: string;
  validation_results?: { activeManifest?: { failure?: StatusEntry[]; success?: StatusEntry[] } };
  validation_status?: StatusEntry[];
}

interface ActiveManifest {
  assertions?: { label?: unknown }[];
  claim_generator?: unknown;
  signature_info?: { issuer?: unknown; common_name?: unknown; alg?: unknown; time?: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const codes = (list: StatusEntry[] | undefined): string[] =>
  (list ?? []).map((e) => str(e.code)).filter((c): c is string => c !== undefined);

function errorName(e: unknown): string {
  const text = String(e);
  return text.match(/C2pa\((\w+)/)?.[1] ?? text.slice(0, 200);
}

export async function checkContentCredentials(
  bytes: Uint8Array,
  mediaType: EvidenceMediaType,
  anchors?: TrustAnchors,
): Promise<ContentCredentials> {
  if (NOT_APPLICABLE.has(mediaType)) {
    return {
      verdict: 'none',
      state: 'none',
      failureCodes: [],
      detail: NOT_APPLICABLE_DETAIL,
    };
  }
  init();
  const trustAnchors = anchors?.subjects.length ?? 0;
  let reader: WasmReader;
  try {
    reader = await WasmReader.fromBytes(mediaType, bytes, anchors?.context ?? null);
  } catch (e) {
    const name = errorName(e);
    if (NO_MANIFEST.test(String(e)))
      return { verdict: 'none', state: 'none', failureCodes: [], detail: name };
    // The reader found a manifest it could not even parse: credentials that are there and fail.
    return {
      verdict: 'invalid',
      state: 'invalid',
      trustAnchors,
      failureCodes: [name],
      detail: String(e).slice(0, 500),
    };
  }
  try {
    const store = JSON.parse(reader.json()) as ManifestStore;
    const manifest = (reader.activeManifest() ?? {}) as ActiveManifest;
    const active = store.validation_results?.activeManifest;
    const failureCodes = active ? codes(active.failure) : codes(store.validation_status);
    const successCodes = codes(active?.success);
    const validationState = str(store.validation_state);
    const sig = manifest.signature_info ?? {};
    const signer: NonNullable<ContentCredentials['signer']> = {
      trusted:
        validationState === 'Trusted' ||
        (successCodes.includes('signingCredential.trusted') &&
          !failureCodes.includes('signingCredential.untrusted')),
    };
    const issuer = str(sig.issuer);
    if (issuer) signer.issuer = issuer;
    const commonName = str(sig.common_name);
    if (commonName) signer.commonName = commonName;
    const alg = str(sig.alg);
    if (alg) signer.alg = alg;
    const time = str(sig.time);
    if (time) signer.time = time;
    const state = validationState === 'Valid' || validationState === 'Trusted' ? 'valid' : 'invalid';
    const out: ContentCredentials = {
      verdict: verdictOf({ state, signer }),
      state,
      trustAnchors,
      failureCodes,
      successCodeCount: successCodes.length,
      assertions: (manifest.assertions ?? []).map((a) => str(a.label)).filter((l): l is string => !!l),
      signer,
    };
    if (validationState) out.validationState = validationState;
    const label = str(reader.activeLabel());
    if (label) out.activeManifest = label;
    const generator = str(manifest.claim_generator);
    if (generator) out.claimGenerator = generator;
    return out;
  } finally {
    reader.free();
  }
}
