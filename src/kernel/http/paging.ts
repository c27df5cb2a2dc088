/** Opaque list cursors: the sort key of the last item returned, base64url-encoded. */
import { z } from 'zod';
import { Problem } from './errors.ts';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through to the one error below
  }
  throw new Problem('invalid_cursor', 'cursor is not one this server issued', { field: 'cursor' });
}

/**
 * Turns rows fetched with `limit + 1` into a page: the extra row only says there is more, and the
 * last returned item's sort key becomes the cursor.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  key: (item: T) => (string | number)[],
): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
}
