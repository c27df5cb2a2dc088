/**
 * Bearer secrets: session tokens, CSRF tokens and API tokens are 256 random bits in base64url. The
 * database keeps only their SHA-256, so reading it (or a backup) signs no one in; a plain hash is
 * enough because the tokens are random, unlike passwords. API tokens start with `gtr_` so secret
 * scanners and people recognise one pasted where it should not be.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_PREFIX = 'gtr_';
const TOKEN_BYTES = 32;
/** 32 bytes in unpadded base64url. */
const TOKEN_CHARS = 43;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${newToken()}`;
}

/** SHA-256, hex: what the database stores and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shape only: spares a database lookup for what cannot be a token. */
export function isTokenShaped(token: string): boolean {
  return token.length === TOKEN_CHARS && TOKEN_PATTERN.test(token);
}

export function isApiTokenShaped(token: string): boolean {
  return token.startsWith(API_TOKEN_PREFIX) && isTokenShaped(token.slice(API_TOKEN_PREFIX.length));
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
