/**
 * C2PA content credentials, checked with the Content Authenticity Initiative's own reader
 * (`@contentauth/c2pa-wasm`, c2pa-rs compiled to WebAssembly) so that Guarantor's answer is the
 * reference implementation's answer.
 *
 * No trust anchors are configured, so a correctly signed manifest is `valid` with its signer marked
 * untrusted (`signingCredential.untrusted`): the signature and the hashes hold, but nobody has told
 * Guarantor whose certificates to believe. That distinction is shown, never hidden.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';
import type { EvidenceMediaType } from './media-type.ts';

export interface ContentCredentials {
  /** valid: signature and hashes verify; invalid: a manifest is there and fails; none: no manifest. */
  state: 'valid' | 'invalid' | 'none';
  /** The reader's own verdict (`Valid`, `Invalid`, `Trusted`), when it read a manifest. */
  validationState?: string;
  /** Failure codes of the active manifest, as C2PA names them (`assertion.dataHash.mismatch`, ...). */
  failureCodes: string[];
  successCodeCount?: number;
  activeManifest?: string;
  /** Labels of the active manifest's assertions. */
  assertions?: string[];
  claimGenerator?: string;
  signer?: {
    issuer?: string;
    commonName?: string;
    alg?: string;
    /** Signing time from the manifest's time-stamp, when it has one. */
    time?: string;
    /** False unless the certificate chains to a configured trust anchor. */
    trusted: boolean;
  };
  /** Why there is no verdict, e.g. the reader does not handle this file type. */
  detail?: string;
}

/** The reader cannot look inside these, so they have no credentials to check. */
const NOT_APPLICABLE = new Set<EvidenceMediaType>(['text/csv', 'application/json', 'application/x-ndjson']);

// Errors that mean "no credentials here" rather than "credentials that fail".
const NO_MANIFEST = /JumbfNotFound|ProvenanceMissing|UnsupportedType|InvalidAsset|NotFound/;

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
): Promise<ContentCredentials> {
  if (NOT_APPLICABLE.has(mediaType)) {
    return { state: 'none', failureCodes: [], detail: 'content credentials do not apply to this type' };
  }
  init();
  let reader: WasmReader;
  try {
    reader = await WasmReader.fromBytes(mediaType, bytes);
  } catch (e) {
    const name = errorName(e);
    if (NO_MANIFEST.test(String(e))) return { state: 'none', failureCodes: [], detail: name };
    // The reader found a manifest it could not even parse: credentials that are there and fail.
    return { state: 'invalid', failureCodes: [name], detail: String(e).slice(0, 500) };
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
    const out: ContentCredentials = {
      state: validationState === 'Valid' || validationState === 'Trusted' ? 'valid' : 'invalid',
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
