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
