/** The one validation entry point: zod schema in, typed value or a 400 naming the fields out. */
import type { z } from 'zod';
import { type FieldError, Problem } from './errors.ts';

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') path.push(...issue.keys.slice(0, 1));
    return { field: path.join('.') || '(body)', message: issue.message };
  });
}

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const first = errors[0];
  throw new Problem('validation_failed', first ? `${first.field}: ${first.message}` : `invalid ${where}`, {
    errors,
  });
}
