/**
 * What recorded content credentials come to, as pure rules shared by the server that checks a file
 * and the browser that explains the record: no C2PA reader here, so both can import it.
 */

/**
 * What the credentials come to: `trusted` (valid, and the signer chains to a configured trust
 * anchor), `untrusted` (valid, but nobody configured vouches for the signer), `invalid` (present
 * and failing; see `failureCodes`), `none` (no credentials).
 */
export type CredentialsVerdict = 'trusted' | 'untrusted' | 'invalid' | 'none';

export interface ContentCredentials {
  /** Absent on items checked before the verdict was recorded; read `state` and `signer.trusted` there. */
  verdict?: CredentialsVerdict;
  /** valid: signature and hashes verify; invalid: a manifest is there and fails; none: no manifest. */
  state: 'valid' | 'invalid' | 'none';
  /** How many trust anchors were configured when this was checked: 0 means every signer is untrusted. */
  trustAnchors?: number;
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

/** The detail recorded for a file type the C2PA reader cannot look inside. */
export const NOT_APPLICABLE_DETAIL = 'content credentials do not apply to this type';

/** Reader errors that mean "no credentials here" rather than "credentials that fail". */
export const NO_MANIFEST = /JumbfNotFound|ProvenanceMissing|UnsupportedType|InvalidAsset|NotFound/;

/**
 * The verdict: recorded with each check, and worked out from state and signer for items checked
 * before it was kept. A valid manifest from a signer nobody configured vouches for is `untrusted`.
 */
export function verdictOf(c: Pick<ContentCredentials, 'verdict' | 'state' | 'signer'>): CredentialsVerdict {
  if (c.verdict) return c.verdict;
  if (c.state === 'valid') return c.signer?.trusted ? 'trusted' : 'untrusted';
  return c.state;
}
