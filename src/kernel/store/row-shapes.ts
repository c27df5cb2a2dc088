/**
 * Rows between objects and flat lists of values, through functions written out once per column list.
 * Reading or writing each field by a changing key (a loop over the names) made V8 look every one up
 * afresh and, for objects built that way, grow them a field at a time; a generated function names
 * each field in its source, so every row takes the same path and every object the same hidden class.
 * On the import and list paths that halved the cost of these conversions. The names are quoted with
 * JSON.stringify, so any column name (ours, or a database's) is a safe string literal.
 */

type ValuesOf = (rows: readonly Record<string, unknown>[]) => unknown[];
type ObjectOf = (values: readonly unknown[]) => Record<string, unknown>;

const valuesFunctions = new Map<string, ValuesOf>();
const objectFunctions = new Map<string, ObjectOf>();

/** The rows' values in column order, one row after another. */
export function valuesOfRows(columns: readonly string[]): ValuesOf {
  const key = JSON.stringify(columns);
  let values = valuesFunctions.get(key);
  if (!values) {
    const reads = columns.map((c, i) => `p[at + ${i}] = r[${JSON.stringify(c)}];`).join(' ');
    values = new Function(
      'rows',
      `const w = ${columns.length}; const p = new Array(rows.length * w); let at = 0;
       for (const r of rows) { ${reads} at += w; }
       return p;`,
    ) as ValuesOf;
    valuesFunctions.set(key, values);
  }
  return values;
}

/**
 * One row's object from its values in column order. A repeated name keeps its last value, as
 * better-sqlite3's own row objects do. A `__proto__` column is set as an own field (an object literal
 * would take it for the prototype), at the cost of the slower path.
 */
export function objectOfValues(columns: readonly string[]): ObjectOf {
  const key = JSON.stringify(columns);
  let object = objectFunctions.get(key);
  if (!object) {
    object = columns.includes('__proto__')
      ? (values) => Object.fromEntries(columns.map((c, i) => [c, values[i]]))
      : (new Function(
          'v',
          `return { ${columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(', ')} };`,
        ) as ObjectOf);
    objectFunctions.set(key, object);
  }
  return object;
}
