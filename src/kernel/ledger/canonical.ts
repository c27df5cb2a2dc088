/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no whitespace,
 * numbers as ECMAScript serialises them (which JSON.stringify already does), strings as JSON.stringify
 * escapes them. Pure and browser-safe so every verifier computes the same bytes. Written as one
 * recursive append (no intermediate arrays) because every stored record passes through it.
 */
export function canonicalJson(value: unknown): string {
  return value !== undefined && inCanonicalOrder(value) ? JSON.stringify(value) : append('', value);
}

/**
 * Whether JSON.stringify already writes `value` as RFC 8785 does: plain objects and arrays whose keys
 * are in canonical order at every level, finite numbers, and nothing JSON cannot carry. Records built
 * with their members in that order (ledger contents, report bodies) then take JSON.stringify, several
 * times quicker than `append`; anything else fails the check early and goes to `append`, which also
 * gives the errors. Only plain prototypes pass, as JSON.stringify would call an inherited toJSON.
 */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      const prototype = Object.getPrototypeOf(value);
      if (Array.isArray(value)) {
        if (prototype !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!inCanonicalOrder(value[i])) return false;
        return true;
      }
      if (prototype !== Object.prototype && prototype !== null) return false;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if ((i > 0 && keys[i - 1]! >= k) || !inCanonicalOrder(obj[k])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Records reuse a small set of keys; quoting each once saves a JSON.stringify per key per record.
// Bounded so that hostile input with endless distinct keys cannot grow it without limit.
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function append(out: string, value: unknown): string {
  if (value === null) return `${out}null`;
  switch (typeof value) {
    case 'boolean':
      return out + (value ? 'true' : 'false');
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
      // For finite numbers String() is the same ECMAScript serialisation JSON.stringify uses.
      return out + String(value);
    case 'string':
      return out + JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        out += '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v = value[i];
          out = append(out, v === undefined ? null : v);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 asks for.
      const keys = Object.keys(obj);
      if (keys.length > 1) keys.sort();
      out += '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (!first) out += ',';
        first = false;
        out = append(out + quotedKey(k), v);
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
