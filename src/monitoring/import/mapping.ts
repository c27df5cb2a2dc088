/**
 * Column mappings: how to read a foreign CSV layout (an ACLED export, a partner's spreadsheet) as
 * Guarantor reports. A mapping is a JSON file that says, for each flattened report field
 * (`observer.lat`, see fields.ts), where its value comes from:
 *
 * - `{ "column": "event_date", "transform": "date_start_of_day" }`: a column's cell, through transforms
 *   applied in order, then through the `values` lookup table if there is one. An empty cell gives
 *   `default`, or leaves the field out. A value missing from `values` is an error for the row.
 * - `{ "const": "ACLED" }`: the same value on every row.
 * - `{ "template": "acled-{event_id_cnty}" }`: text with `{column}` placeholders (`{{` and `}}` for
 *   braces). If a placeholder's cell is empty the field is left out, so that a half-filled id can never
 *   make two rows look like one.
 *
 * Cells are trimmed first. After that, a text value bound for a number or boolean field is converted as
 * in Guarantor's own layout (a value that does not convert stays text, for validation to name).
 */
import { z } from 'zod';
import {
  convertCell,
  type FieldKind,
  type FieldSetter,
  fieldKind,
  finishFlatReport,
  flatFieldSetter,
  isFlatReportField,
  parseDecimal,
} from './fields.ts';
import type { FieldError } from './rows.ts';

export const MAPPING_TRANSFORMS = [
  'trim',
  'lowercase',
  'uppercase',
  'number',
  'date_start_of_day',
  'date_end_of_day',
] as const;
export type MappingTransform = (typeof MAPPING_TRANSFORMS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** One transform or a list, applied in order; read as a list. */
const transforms = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(z.enum(MAPPING_TRANSFORMS)).min(1),
);

const template = z
  .string()
  .min(1)
  .refine((t) => parseTemplate(t) !== undefined, {
    message: 'a template has {column} placeholders; write {{ and }} for braces',
  });

/** One report field's source: exactly one of `column`, `const` or `template`. */
export const fieldRuleSchema = z
  .object({
    column: z.string().min(1).optional(),
    const: scalar.optional(),
    template: template.optional(),
    transform: transforms.optional(),
    values: z.record(z.string(), scalar).optional(),
    default: scalar.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const sources = [r.column, r.const, r.template].filter((s) => s !== undefined).length;
    if (sources !== 1)
      ctx.addIssue({ code: 'custom', message: 'give exactly one of column, const or template' });
    if (r.column === undefined && (r.values !== undefined || r.default !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'values and default go with a column' });
    }
    if (r.const !== undefined && r.transform !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'a const takes no transform' });
    }
  });
export type FieldRule = z.infer<typeof fieldRuleSchema>;

const NESTING_HINT = 'write nested fields with dots: observer.lat';

export const columnMappingSchema = z
  .object({
    format: z.literal('csv'),
    /** One character; a comma unless told. */
    delimiter: z
      .string()
      .length(1)
      .refine((d) => d !== '"' && d !== '\n' && d !== '\r', { message: 'not a quote or a line end' })
      .optional(),
    columns: z
      .record(z.string().refine(isFlatReportField), fieldRuleSchema, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? `${JSON.stringify(issue.input)} is not a report field (${NESTING_HINT})`
            : undefined,
      })
      .refine((columns) => Object.keys(columns).length > 0, { message: 'the mapping maps no field' }),
  })
  .strict();
export type ColumnMapping = z.infer<typeof columnMappingSchema>;
/** A mapping as written in its file (a transform may be one name instead of a list). */
export type ColumnMappingInput = z.input<typeof columnMappingSchema>;

/** Reads a mapping file's text; errors name the place in the file. */
export function readColumnMapping(text: string): { mapping: ColumnMapping } | { errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { errors: [`the mapping is not JSON: ${(e as Error).message}`] };
  }
  const result = columnMappingSchema.safeParse(json);
  if (result.success) return { mapping: result.data };
  return { errors: result.error.issues.map((i) => `${i.path.join('.') || '(mapping)'}: ${i.message}`) };
}

export type RowConverter = (cells: string[]) => { value: unknown } | { error: FieldError };

type Part = string | { column: string };

/** A template's literal text and placeholders, or undefined for an unbalanced brace. */
function parseTemplate(t: string): Part[] | undefined {
  const parts: Part[] = [];
  let text = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if ((c === '{' || c === '}') && t[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const close = t.indexOf('}', i + 1);
      const name = close === -1 ? '' : t.slice(i + 1, close);
      if (name === '' || name.includes('{')) return undefined;
      if (text) parts.push(text);
      text = '';
      parts.push({ column: name });
      i = close;
    } else if (c === '}') {
      return undefined;
    } else {
      text += c;
    }
  }
  if (text) parts.push(text);
  return parts;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** `2026-11-03` or ACLED's export form `03 November 2026`, as [year, month, day]; undefined if no date. */
export function parseCalendarDate(text: string): [number, number, number] | undefined {
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) {
    y = Number(iso[1]);
    m = Number(iso[2]);
    d = Number(iso[3]);
  } else {
    const long = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(text);
    if (!long) return undefined;
    d = Number(long[1]);
    m = MONTHS.indexOf(long[2]!.toLowerCase()) + 1;
    y = Number(long[3]);
  }
  if (m < 1 || m > 12 || d < 1) return undefined;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return [y, m, d];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

class TransformError {
  constructor(readonly message: string) {}
}

function applyTransform(name: MappingTransform, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  switch (name) {
    case 'trim':
      return value.trim();
    case 'lowercase':
      return value.toLowerCase();
    case 'uppercase':
      return value.toUpperCase();
    case 'number':
      return parseDecimal(value) ?? value;
    case 'date_start_of_day':
    case 'date_end_of_day': {
      const date = parseCalendarDate(value);
      if (!date)
        return new TransformError(`${JSON.stringify(value)} is not a date (YYYY-MM-DD or 3 November 2026)`);
      const [y, m, d] = date;
      const time = name === 'date_start_of_day' ? '00:00:00' : '23:59:59';
      return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${time}Z`;
    }
  }
}

const OMIT = Symbol('omit');

class RowFault {
  constructor(readonly error: FieldError) {}
}

interface CompiledRule {
  set: FieldSetter;
  kind: FieldKind;
  /** The field's value for a row: anything, OMIT to leave the field out, or a RowFault. */
  value(cells: string[]): unknown;
}

function compileRule(target: string, rule: FieldRule, indexOf: (column: string) => number): CompiledRule {
  const kind = fieldKind(target);
  if (rule.const !== undefined) {
    const value = rule.const;
    return { set: flatFieldSetter(target), kind, value: () => value };
  }
  const steps: MappingTransform[] = rule.transform ?? [];
  const transform = (v: unknown, source: string): unknown => {
    for (const step of steps) {
      v = applyTransform(step, v);
      if (v instanceof TransformError) {
        return new RowFault({ field: target, code: 'invalid_value', message: `${source}: ${v.message}` });
      }
    }
    return v;
  };

  if (rule.template !== undefined) {
    const { template } = rule;
    const parts = (parseTemplate(template) ?? []).map((p) => (typeof p === 'string' ? p : indexOf(p.column)));
    const source = `template ${JSON.stringify(template)}`;
    return {
      set: flatFieldSetter(target),
      kind,
      value(cells) {
        let text = '';
        for (const p of parts) {
          if (typeof p === 'string') text += p;
          else {
            const cell = cells[p]?.trim();
            if (!cell) return OMIT;
            text += cell;
          }
        }
        return transform(text, source);
      },
    };
  }

  const column = rule.column ?? '';
  const index = indexOf(column);
  const source = `column ${JSON.stringify(column)}`;
  const { values } = rule;
  const fallback = rule.default;
  return {
    set: flatFieldSetter(target),
    kind,
    value(cells) {
      const cell = cells[index]?.trim();
      if (!cell) return fallback === undefined ? OMIT : fallback;
      const v = transform(cell, source);
      if (values === undefined || v instanceof RowFault) return v;
      const key = String(v);
      if (!Object.hasOwn(values, key)) {
        return new RowFault({
          field: target,
          code: 'unknown_value',
          message: `${source}: ${JSON.stringify(key)} is not in the values table for ${target}`,
        });
      }
      return values[key];
    },
  };
}

/**
 * Prepares a mapping for a header. Every column the mapping names must be in the header, once; the
 * error lists all that are missing, so one look at it fixes the file.
 */
export function compileMapping(
  mapping: ColumnMapping,
  header: readonly string[],
): { convert: RowConverter } | { error: FieldError } {
  const positions = new Map<string, number[]>();
  header.forEach((name, i) => {
    const list = positions.get(name);
    if (list) list.push(i);
    else positions.set(name, [i]);
  });

  const missing = new Map<string, string[]>();
  const twice = new Set<string>();
  const indexOf = (column: string, target: string): number => {
    const at = positions.get(column);
    if (!at) missing.set(column, [...(missing.get(column) ?? []), target]);
    else if (at.length > 1) twice.add(column);
    return at?.[0] ?? -1;
  };

  const rules: CompiledRule[] = [];
  for (const [target, rule] of Object.entries(mapping.columns)) {
    rules.push(compileRule(target, rule, (column) => indexOf(column, target)));
  }

  if (missing.size > 0) {
    const list = [...missing].map(
      ([column, targets]) => `${JSON.stringify(column)} (for ${targets.join(', ')})`,
    );
    const [firstTargets] = missing.values();
    return {
      error: {
        field: firstTargets?.[0],
        code: 'missing_column',
        message: `the header lacks column${missing.size > 1 ? 's' : ''} that the mapping names: ${list.join(', ')}`,
      },
    };
  }
  if (twice.size > 0) {
    const [column] = twice;
    return {
      error: {
        code: 'invalid_header',
        message: `the column ${JSON.stringify(column)} appears twice in the header; the mapping cannot tell which to read`,
      },
    };
  }

  const convert: RowConverter = (cells) => {
    const report: Record<string, unknown> = {};
    for (const rule of rules) {
      const v = rule.value(cells);
      if (v === OMIT) continue;
      if (v instanceof RowFault) return { error: v.error };
      rule.set(report, typeof v === 'string' ? convertCell(rule.kind, v) : v);
    }
    const error = finishFlatReport(report);
    return error ? { error } : { value: report };
  };
  return { convert };
}

/**
 * Maps one record (column name to cell) to a candidate report. For bulk work use compileMapping once
 * and convert many rows; this compiles the mapping on each call.
 */
export function applyMapping(
  mapping: ColumnMapping,
  record: Record<string, string>,
): { value: unknown } | { error: FieldError } {
  const header = Object.keys(record);
  const compiled = compileMapping(mapping, header);
  if ('error' in compiled) return compiled;
  return compiled.convert(header.map((name) => record[name] ?? ''));
}
