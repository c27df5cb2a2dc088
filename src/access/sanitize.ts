/**
 * Text that reaches the audit trail or a log from outside (a user agent, a display name) is cut short
 * and stripped of control, format and separator characters, so it cannot start a new log line, hide
 * or reorder text (bidirectional overrides), or pass for another entry.
 */

// Cc and Cf cover C0/C1 controls, DEL and the bidi and zero-width format characters; Cs lone
// surrogates (not text at all); Zl and Zp the Unicode line and paragraph separators.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

export function cleanText(value: string, maxLength = 200): string {
  const cleaned = value.normalize('NFC').replace(UNSAFE, ' ').replace(/ {2,}/g, ' ').trim();
  const chars = [...cleaned];
  return chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : cleaned;
}

export function cleanOptional(value: string | null | undefined, maxLength = 200): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = cleanText(value, maxLength);
  return cleaned === '' ? null : cleaned;
}
