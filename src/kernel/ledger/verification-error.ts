/**
 * The one way the ledger verifier says no. Every verifier in this folder either returns normally or
 * throws this, so a caller (the browser portal, the CLI, a witness) needs one `catch` and can show
 * the reason; `code` is stable for programs, `message` is for people.
 */
export type VerificationCode =
  /** An argument was out of range or the wrong length: the proof was never checked. */
  | 'bad_input'
  /** The proof was well-formed but does not lead to the claimed root. */
  | 'proof_mismatch'
  | 'malformed_note'
  | 'malformed_key'
  | 'malformed_checkpoint'
  | 'malformed_tile_path'
  /** A signature from a key the caller trusts did not verify. */
  | 'invalid_signature'
  /** No signature from a trusted key was found. */
  | 'unverified_note';

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  readonly code: VerificationCode;

  constructor(code: VerificationCode, message: string) {
    super(message);
    this.code = code;
  }
}
