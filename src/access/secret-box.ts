/**
 * Short secrets kept in the database sealed, not in clear: AES-256-GCM under a 32-byte key that
 * lives outside the database, so a copy of the database (or of a backup made without the key) holds
 * nothing that can be used. Each seal draws a fresh random 96-bit nonce, and the caller names what
 * the secret belongs to (the account id) as additional authenticated data: a sealed value copied
 * onto another row does not open there.
 *
 * Text form: `v1.<nonce, base64url>.<ciphertext and 16-byte tag, base64url>`. Opening a value that is
 * malformed, changed in any character, sealed for another row or under another key gives undefined,
 * never an exception, so callers can treat it like a wrong code.
 *
 * The key is `<data>/secrets-key` (base64 of 32 random bytes, mode 0600, made on first start like the
 * log key) or the GUARANTOR_SECRETS_KEY setting. Losing it loses every sealed secret: each
 * authenticator app must then be enrolled again.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateKeyFile } from '../kernel/ledger/key-file.ts';

export const SECRETS_KEY_FILE = 'secrets-key';
export const SEALED_PREFIX = 'v1.';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretsKeyError extends Error {
  override name = 'SecretsKeyError';
}

/**
 * The key. Its bytes are in a private field, so neither JSON (pino) nor util.inspect ever shows them.
 */
export class SecretsKey {
  readonly #bytes: Buffer;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== KEY_BYTES) throw new SecretsKeyError(`a secrets key is ${KEY_BYTES} bytes`);
    this.#bytes = Buffer.from(bytes);
  }

  /** `plain` sealed for `context` (what it belongs to, such as `totp:<account id>`). */
  seal(plain: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#bytes, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED_PREFIX}${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The secret `sealed` holds, or undefined when it does not open for `context` under this key. */
  open(sealed: string, context: string): string | undefined {
    if (typeof sealed !== 'string' || !sealed.startsWith(SEALED_PREFIX)) return undefined;
    const parts = sealed.slice(SEALED_PREFIX.length).split('.');
    if (parts.length !== 2) return undefined;
    const nonce = strictBase64url(parts[0]!);
    const body = strictBase64url(parts[1]!);
    if (!nonce || nonce.length !== NONCE_BYTES || !body || body.length < TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#bytes, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    } catch {
      return undefined;
    }
  }

  toJSON(): string {
    return '[secrets key]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SecretsKey [hidden]';
  }
}

/** Whether a stored value is in the sealed form (of any version), as opposed to a clear secret. */
export function isSealed(stored: string): boolean {
  return /^v\d+\./.test(stored);
}

/**
 * base64url with no padding, accepted only in its one canonical spelling: Buffer's decoder skips
 * characters it does not know and ignores a last character's spare bits, so without this check a
 * changed character could still open.
 */
function strictBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** A fresh key held only in memory: for tests and throwaway stores. */
export function generateSecretsKey(): SecretsKey {
  return new SecretsKey(randomBytes(KEY_BYTES));
}

/**
 * The 32 bytes of a key written in base64 (standard or URL alphabet, padding optional), or undefined
 * when the text is anything else. Shared by the configuration check and the key file.
 */
export function secretsKeyBytes(text: string): Buffer | undefined {
  const clean = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return undefined;
  const bytes = Buffer.from(clean, 'base64');
  if (bytes.length !== KEY_BYTES) return undefined;
  const canonical = (s: string) => s.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
  return canonical(bytes.toString('base64')) === canonical(clean) ? bytes : undefined;
}

/**
 * Reads the key from `<dataDir>/secrets-key`, creating it (mode 0600) when absent; refuses a file that
 * others can read or that does not hold a key.
 */
export function loadOrCreateSecretsKey(dataDir: string): SecretsKey {
  const file = join(dataDir, SECRETS_KEY_FILE);
  const text = readOrCreateKeyFile(
    file,
    () => randomBytes(KEY_BYTES).toString('base64'),
    (message) => new SecretsKeyError(`the secrets key ${message}`),
  );
  const bytes = secretsKeyBytes(text);
  if (!bytes) {
    throw new SecretsKeyError(`the secrets key ${file} does not hold ${KEY_BYTES} bytes in base64`);
  }
  return new SecretsKey(bytes);
}
