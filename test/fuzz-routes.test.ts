/**
 * Every route in the OpenAPI document, fed malformed and hostile input: bad UTF-8, deep nesting, huge
 * numbers, prototype-pollution keys, CR/LF in headers and path parameters, wrong content types,
 * oversized bodies, hostile path and query parameters. Nothing may answer 5xx, crash the process,
 * answer an error that is not a problem document with a code from the catalogue, let CR/LF into a
 * response header, or write anything when it refuses.
 */
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { DEMO_SECTORS, DEMO_ZONES } from '../src/demo/front.ts';
import { ERRORS } from '../src/kernel/http/errors.ts';
import { DIALECTS, type TestDialect } from '../src/kernel/store/test-dialects.ts';
import { ANONYMOUS, aReport, secretariatTokenFor, signedInAs, startApp } from './harness.ts';

/** Someone the fuzz calls as. */
interface FuzzCaller {
  name: string;
  /**
   * Fresh credentials as headers. Called at the start and again whenever the last ones stopped working
   * (a hostile case may be a valid sign-out) or were rate limited, so one route's cases cannot leave
   * the next route fuzzed by nobody.
   */
  signIn(app: App): Promise<Record<string, string | undefined>>;
}

/**
 * Who the fuzz calls as: the public, an API token of an account with every role and scope (the
 * harness's secretariat), and a cookie session with its CSRF token. The public is stopped at the
 * access guard on most routes before any body is read; the signed-in callers carry the hostile input
 * into each route's own parsing and validation.
 */
const CALLERS: FuzzCaller[] = [
  // The harness signs every call in as its secretariat unless the call names its own credentials.
  { name: 'anonymous', signIn: async () => ({ ...ANONYMOUS }) },
  {
    name: 'secretariat token',
    signIn: async (app) => ({ authorization: `Bearer ${await secretariatTokenFor(app.accounts)}` }),
  },
  { name: 'administrator session', signIn: (app) => signedInAs(app, ['administrator']) },
];

/** Random cases per route and caller, on top of the fixed hostile cases every route gets. */
const RUNS = { sqlite: 25, postgres: 5 };

const PROBLEM_CODES = new Set(Object.keys(ERRORS));

/**
 * Tables the ledger derives from `ledger_leaves` alone (the stored tree and its signed checkpoints).
 * The background checkpointer writes them whenever leaves are ahead of the tree, at any moment, so a
 * case may see them change; when `ledger_leaves` did not change in that case, they carry nothing new.
 */
const DERIVED_FROM_LEAVES = new Set(['ledger_tiles', 'ledger_checkpoints']);

/** What a successful read may write: the audit of reads (access events and their leaves) and evidence custody. */
const READ_AUDIT = new Set(['access_events', 'ledger_leaves', 'evidence_custody']);

/**
 * Refusals that are recorded by design (issue 4: every failed sign-in is audited and counts towards
 * throttling). Only a well-formed sign-in attempt gets these codes, never a malformed one.
 */
const AUDITED_REFUSALS = new Set(['sign_in_failed', 'totp_required', 'totp_invalid']);
const SIGN_IN_AUDIT = new Set(['access_events', 'sign_in_throttle', 'ledger_leaves']);

interface Operation {
  method: string;
  /** OpenAPI path, `{name}` for parameters and `*` for a wildcard tail. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Query parameters that take one of a few values, each with the values that are not its default. */
  queryChoices: Record<string, string[]>;
  bodyTypes: string[];
}

interface Case {
  /** The operation it was made for, as `METHOD /openapi/path`. */
  route: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  remoteAddress: string;
}

// ---------------------------------------------------------------------------------------------------
// Hostile values

const MARK = 'pwned';

/** Percent-encodes every byte outside the unreserved set, so any string (even lone surrogates) fits a URL. */
function encode(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Already in URL form: traversal, NUL, CR/LF, invalid and overlong UTF-8, numbers out of range. */
const HOSTILE_SEGMENTS = [
  '..',
  '.',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '..%5C..%5Cwindows',
  '%00',
  'a%00b',
  `%0D%0ASet-Cookie:%20${MARK}=1`,
  `%0AX-Injected:%20${MARK}`,
  '%0D',
  '%FF%FE',
  '%C0%AF',
  '%ED%A0%80',
  '%E2%82',
  '%F4%90%80%80',
  '%',
  '%%',
  '%G0',
  '%20',
  '+',
  encode('ü日本🙂'),
  encode('\u202Egnp.exe'),
  'a'.repeat(300),
  '1e309',
  '-0',
  '18446744073709551616',
  '9'.repeat(400),
  'NaN',
  '-1',
  '0x10',
  '__proto__',
  'constructor',
  'prototype',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2026-02-30',
  '9999-12-31',
  '%7B%7D',
  '%5B%5D',
];

const HOSTILE_VALUES = [
  ...HOSTILE_SEGMENTS,
  '',
  '1e309',
  '-1e309',
  '5e-324',
  '1.7976931348623157e308',
  '-9007199254740993',
  'Infinity',
  'true',
  'null',
  'undefined',
  '[object Object]',
  '%5B%5D%5B%5D',
  encode('{"__proto__":{"polluted":1}}'),
  encode('<script>alert(1)</script>'),
  encode("' OR 1=1 --"),
  '1970-01-01T00:00:00Z',
  '275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '2026-11-30T25:61:61Z',
  '0,0,0,0',
  '180,90,-180,-90',
  '1e309,1,2,3',
];

const HOSTILE_QUERY_KEYS = [
  '__proto__',
  '__proto__[polluted]',
  '__proto__.polluted',
  'constructor',
  'constructor[prototype][polluted]',
  'prototype',
  'a[b][c][d]',
  '',
  '%FF',
  '%00',
  `%0D%0A${MARK}`,
  'x'.repeat(200),
];

const segment = (ids: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    { weight: 2, arbitrary: fc.uuid().map(String) },
    { weight: ids.length ? 3 : 0, arbitrary: fc.constantFrom(...(ids.length ? ids : ['none'])) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encode) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map(encode) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encode) },
  );

const queryValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
  { weight: 1, arbitrary: fc.double().map((d) => encode(String(d))) },
  { weight: 1, arbitrary: fc.bigInt().map((n) => String(n)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encode) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map(encode) },
);

function queryString(op: Operation): fc.Arbitrary<string> {
  const key = fc.oneof(
    {
      weight: op.queryParams.length ? 4 : 0,
      arbitrary: fc.constantFrom(...(op.queryParams.length ? op.queryParams : ['x'])),
    },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_QUERY_KEYS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(encode) },
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(fc.tuple(key, queryValue), { maxLength: 6 })
        .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '&&&',
        '=',
        '==',
        '%',
        '%ZZ',
        '?',
        '#',
        'a&a&a',
        `${'a=1&'.repeat(500)}a=1`,
      ),
    },
  );
}

/** JSON nested `depth` deep, as arrays or objects. */
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A value with a hostile key at `depth`, written as JSON text so `__proto__` survives as a key. */
function keyAtDepth(key: string, depth: number, value = '{"polluted":"yes"}'): string {
  let text = `{${JSON.stringify(key)}:${value}}`;
  for (let i = 0; i < depth; i++) text = `{"a":${text},"b":[${text}]}`;
  return text;
}

const HUGE_NUMBERS = [
  '1e309',
  '-1e309',
  '18446744073709551616',
  '-18446744073709551617',
  '-0',
  '5e-324',
  '1e-400',
  '9'.repeat(5000),
  `0.${'1'.repeat(5000)}`,
  '1e999999999',
];

/** Byte sequences that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncations. */
const BAD_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0x00],
].map((b) => Buffer.from(b));

const badUtf8Json = fc
  .tuple(fc.constantFrom(...BAD_UTF8), fc.constantFrom('key', 'value', 'raw'))
  .map(([bad, where]) =>
    where === 'key'
      ? Buffer.concat([Buffer.from('{"'), bad, Buffer.from('":1}')])
      : where === 'value'
        ? Buffer.concat([Buffer.from('{"name":"'), bad, Buffer.from('","count":1}')])
        : Buffer.concat([bad, Buffer.from('{}'), bad]),
  );

const hostileObject = fc.object({
  key: fc.oneof(
    fc.constantFrom(...PROTO_KEYS, 'polluted', 'id', 'type', 'reason', 'to'),
    fc.string({ maxLength: 8 }),
  ),
  maxDepth: 4,
  values: [
    fc.constantFrom(...HUGE_NUMBERS.slice(0, 6).map(Number)),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ],
});

const jsonBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 3, arbitrary: hostileObject.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...PROTO_KEYS, 'constructor', 'prototype'), fc.integer({ min: 0, max: 6 }))
      .map(([k, d]) =>
        k === 'constructor' ? keyAtDepth(k, d, '{"prototype":{"polluted":"yes"}}') : keyAtDepth(k, d),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 10_000 })
      .chain((n) => fc.constantFrom(nestedArrays(n), nestedObjects(n))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('count', 'lat', 'lon', 'limit', 'size', 'index', 'a'),
        fc.constantFrom(...HUGE_NUMBERS),
      )
      .map(([k, n]) => `{"${k}":${n}}`),
  },
  { weight: 2, arbitrary: badUtf8Json },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      '""',
      '0',
      '[]',
      '{}',
      '{',
      '}',
      '\uFEFF{}',
      '{"a":1,"a":2}',
      '/*x*/{}',
    ),
  },
  { weight: 1, arbitrary: fc.constant(JSON.stringify(aReport({ notes: `\r\nX-Injected: ${MARK}` }))) },
);

const HOSTILE_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/*',
  '*/*',
  ';;;',
  'application/json\r\nX-Injected: pwned',
  'application/x-ndjson',
  'text/csv',
  'application/geo+json',
];

/** Multipart bodies that are broken, or well formed around a file no evidence check accepts. */
function multipartBody(boundary: string): fc.Arbitrary<string | Buffer> {
  const junk = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x81, 0x00, 0xc0, 0xaf]);
  const filename = fc.constantFrom(
    '../../../etc/passwd',
    'a\r\nX-Injected: pwned.jpg',
    'a\u0000.jpg',
    '%00.png',
    'ü日本🙂.pdf',
    'x'.repeat(2000),
    '',
  );
  return fc.oneof(
    filename.map((name) =>
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        junk,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    ),
    fc
      .tuple(fc.constantFrom('collectedAt', 'collectedBy', 'note', '__proto__', 'constructor'), queryValue)
      .map(
        ([field, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${decodeURIComponentSafe(value)}\r\n--${boundary}--\r\n`,
      ),
    fc.constantFrom(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`,
      `--${boundary}--\r\n`,
      `--${boundary}\r\n\r\n\r\n--${boundary}--`,
      `--wrong\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--wrong--\r\n`,
      '',
    ),
    fc.string({ unit: 'binary', maxLength: 80 }),
  );
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const HOSTILE_HEADERS: Record<string, string[]> = {
  accept: [
    'application/geo+json',
    'text/html',
    'text/csv',
    '*/*',
    'application/x-nonsense',
    ';q=x',
    `a\r\nX-Injected: ${MARK}`,
  ],
  'x-guarantor-actor': [`a\r\nX-Injected: ${MARK}`, '\u0000', 'ü'.repeat(300), '__proto__'],
  'x-forwarded-for': ['1.2.3.4, ::1', 'not-an-ip', `\r\n${MARK}`],
  'x-forwarded-proto': ['https', 'javascript', `https\r\n${MARK}`],
  origin: ['https://evil.example', 'null', `https://a\r\n${MARK}`],
  cookie: ['guarantor_session=../../x', 'guarantor_session=%00; guarantor_csrf=\r\n', `__proto__=${MARK}`],
  authorization: [
    'Bearer ../../etc',
    'Bearer ',
    'Basic Zm9vOmJhcg==',
    `Bearer ${'a'.repeat(300)}`,
    `Bearer a\r\n${MARK}`,
  ],
  'x-csrf-token': ['', '\u0000', `a\r\n${MARK}`],
  'if-none-match': ['*', '"x"', `W/"\r\n${MARK}"`],
  range: ['bytes=0-0', 'bytes=-1', 'bytes=99999999999999999999-', 'bytes=a-b'],
};

const extraHeaders = fc
  .subarray(Object.keys(HOSTILE_HEADERS), { maxLength: 3 })
  .chain((names) =>
    fc.tuple(...names.map((n) => fc.constantFrom(...HOSTILE_HEADERS[n]!).map((v) => [n, v] as const))),
  )
  .map((pairs) => Object.fromEntries(pairs) as Record<string, string>);

const ONE_MIB_AND_MORE = Buffer.from(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }));

// ---------------------------------------------------------------------------------------------------
// Cases

function fillPath(op: Operation, values: Record<string, string>): string {
  return op.path.replace(
    /\{([^}]+)\}|\*/g,
    (whole, name: string | undefined) => values[name ?? whole] ?? 'x',
  );
}

function caseFor(op: Operation, ids: string[]): fc.Arbitrary<Case> {
  const params = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => [
        p,
        p === '*'
          ? fc.array(segment(ids), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'))
          : segment(ids),
      ]),
    ),
  );
  const multipart = op.bodyTypes.some((t) => t.startsWith('multipart/'));
  const body: fc.Arbitrary<{ type?: string; payload?: string | Buffer }> = multipart
    ? fc.oneof(
        multipartBody('B0undary').map((payload) => ({
          type: 'multipart/form-data; boundary=B0undary',
          payload,
        })),
        fc
          .tuple(fc.constantFrom(...HOSTILE_CONTENT_TYPES), jsonBody)
          .map(([type, payload]) => ({ type, payload })),
      )
    : op.bodyTypes.length
      ? fc
          .tuple(
            fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...op.bodyTypes) },
              { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_CONTENT_TYPES) },
            ),
            jsonBody,
          )
          .map(([type, payload]) => ({ type, payload }))
      : fc.oneof(
          { weight: 4, arbitrary: fc.constant({}) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom(...HOSTILE_CONTENT_TYPES), jsonBody)
              .map(([type, payload]) => ({ type, payload })),
          },
        );
  const method = fc.oneof(
    { weight: 12, arbitrary: fc.constant(op.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  );
  return fc
    .record({ method, params, query: queryString(op), body, headers: extraHeaders, remoteAddress: fc.ipV4() })
    .map(({ method, params, query, body, headers, remoteAddress }) => {
      const url = fillPath(op, params) + (query ? `?${query}` : '');
      const h: Record<string, string> = { ...headers };
      if (body.type !== undefined) h['content-type'] = body.type;
      return {
        route: `${op.method} ${op.path}`,
        method,
        url,
        headers: h,
        remoteAddress,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
      };
    });
}

let addresses = 0;

/** A new client address for each fixed case, so the per-address rate limit never decides one. */
function nextAddress(): string {
  addresses++;
  return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
}

/**
 * The same hostile classes for every route, so none is left to chance. `thorough` adds every variant of
 * each body class; without it one of each is sent, which keeps the slower PostgreSQL run short.
 */
function fixedCases(op: Operation, ids: string[], thorough: boolean): Case[] {
  const type = op.bodyTypes.find((t) => t.includes('json')) ?? op.bodyTypes[0] ?? 'application/json';
  const params = Object.fromEntries(
    op.pathParams.map((p) => [p, ids[0] ?? '00000000-0000-0000-0000-000000000000']),
  );
  const base = fillPath(op, params);
  const pick = <T>(all: T[]): T[] => (thorough && op.bodyTypes.length ? all : all.slice(0, 1));
  const bodies: (string | Buffer)[] = [
    nestedArrays(10_000),
    nestedObjects(10_000),
    ...pick(HUGE_NUMBERS).map((n) => `{"count":${n},"limit":${n},"lat":${n}}`),
    ...pick(PROTO_KEYS.flatMap((k) => [0, 1, 5].map((d) => keyAtDepth(k, d)))),
    keyAtDepth('constructor', 3, '{"prototype":{"polluted":"yes"}}'),
    ...pick(BAD_UTF8).map((b) => Buffer.concat([Buffer.from('{"name":"'), b, Buffer.from('"}')])),
    Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0x00]), Buffer.from('b"}')]),
    // Escaped NUL is valid JSON; PostgreSQL cannot store it, so it must be refused before a query.
    JSON.stringify(
      aReport({ notes: 'a\u0000b', source: { kind: 'patrol', id: '\u0000', participant: 'FRA' } }),
    ),
    '{"name":"a\\u0000","reason":"\\u0000 reason","to":"triaged","\\u0000":1}',
    ...(op.bodyTypes.length && op.bodyTypes.every((t) => t.includes('json')) ? [ONE_MIB_AND_MORE] : []),
  ];
  const route = `${op.method} ${op.path}`;
  // The bodies go once as they are and once with every choice in the query away from its default,
  // since a choice such as all-or-nothing answers a bad body down another path.
  const chosen = new URLSearchParams(
    Object.entries(op.queryChoices).flatMap(([name, values]) => (values[0] ? [[name, values[0]]] : [])),
  ).toString();
  const urls = op.bodyTypes.length && chosen ? [base, `${base}?${chosen}`] : [base];
  const cases: Case[] = urls.flatMap((url) =>
    bodies.map((payload) => ({
      route,
      method: op.method,
      url,
      headers: { 'content-type': type },
      payload,
      remoteAddress: nextAddress(),
    })),
  );
  const get = (url: string, headers: Record<string, string> = {}): Case => ({
    route,
    method: op.method,
    url,
    headers,
    remoteAddress: nextAddress(),
  });
  for (const p of op.pathParams) {
    for (const v of [
      `%0D%0ASet-Cookie:%20${MARK}=1`,
      '..%2F..%2Fetc%2Fpasswd',
      '%00',
      '%FF%FE',
      encode('ü日本🙂'),
      '9'.repeat(400),
    ]) {
      cases.push(get(fillPath(op, { ...params, [p]: v })));
    }
  }
  cases.push(
    get(
      `${base}?${HOSTILE_QUERY_KEYS.slice(0, 6)
        .map((k) => `${k}=${MARK}`)
        .join('&')}`,
    ),
  );
  cases.push(
    get(
      `${base}?${HOSTILE_QUERY_KEYS.slice(6)
        .map((k) => `${k}=${MARK}`)
        .join('&')}`,
    ),
  );
  // Every declared query parameter at once, with each hostile value in turn.
  if (op.queryParams.length) {
    for (const v of [
      '1e309',
      '-0',
      '18446744073709551616',
      '9'.repeat(400),
      '%FF%FE',
      '%00',
      `%0D%0A${MARK}`,
    ]) {
      cases.push(get(`${base}?${op.queryParams.map((q) => `${q}=${v}`).join('&')}`));
    }
  }
  cases.push(
    get(base, { 'x-guarantor-actor': `a\r\nX-Injected: ${MARK}` }),
    get(base, { accept: `application/json\r\nX-Injected: ${MARK}` }),
    { ...get(base, { 'content-type': 'text/plain' }), payload: '{}' },
  );
  return cases;
}

// ---------------------------------------------------------------------------------------------------
// The checks

async function listTables(app: App): Promise<string[]> {
  const query =
    app.store.dialect === 'sqlite'
      ? sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
      : sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`;
  return (await query.execute(app.store.db)).rows.map((r) => r.name).sort();
}

/** Row counts of every table, in one statement so a case costs one round trip before and one after. */
function rowCounter(app: App, tables: string[]): () => Promise<Map<string, number>> {
  const statement = sql.raw<{ t: string; n: number | string }>(
    tables
      .map((t) => `select '${t}' as t, count(*) as n from "${t.replaceAll('"', '""')}"`)
      .join(' union all '),
  );
  return async () => new Map((await statement.execute(app.store.db)).rows.map((r) => [r.t, Number(r.n)]));
}

function changedTables(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t));
}

interface SignedIn {
  name: string;
  caller: FuzzCaller;
  headers: Record<string, string | undefined>;
  /** Rate limited during the last route's cases: signs in afresh, as a new account, before the next. */
  limited: boolean;
}

/** Keeps each caller signed in: a probe of `GET /api/v1/session`, and fresh credentials when it fails. */
async function refresh(app: App, callers: SignedIn[]): Promise<void> {
  for (const c of callers) {
    if (c.name === 'anonymous') continue;
    const probe = await app.http.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: c.headers as Record<string, string>,
    });
    // The public is answered too (account null), so a session that ended shows as no account.
    const signedIn = probe.statusCode === 200 && probe.json().account !== null;
    if (!signedIn || c.limited) c.headers = await c.caller.signIn(app);
    c.limited = false;
  }
}

interface Tally {
  requests: number;
  refused: number;
  accepted: number;
  acceptedWrites: number;
  /** `METHOD path -> table` for every accepted request that wrote, to show what the valid ones were. */
  writers: Set<string>;
  byStatus: Map<number, number>;
}

function describeCase(c: Case, caller: string): string {
  const body =
    c.payload === undefined
      ? ''
      : ` body ${JSON.stringify(String(c.payload).slice(0, 120))}${String(c.payload).length > 120 ? '…' : ''}`;
  return `${caller}: ${c.method} ${c.url.slice(0, 200)} ${JSON.stringify(c.headers)}${body}`;
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

function expectNoPollution(label: string): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(','), label).toBe(prototypeNames);
  expect(({} as Record<string, unknown>).polluted, label).toBeUndefined();
  expect(Object.getOwnPropertyNames(Array.prototype).includes('polluted'), label).toBe(false);
}

function expectCleanHeaders(headers: Record<string, unknown>, label: string): void {
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      expect(/[\r\n]/.test(String(v)), `${label}: header ${name} carries CR or LF`).toBe(false);
    }
    expect(name.toLowerCase(), label).not.toBe('x-injected');
  }
  const cookies = headers['set-cookie'];
  for (const c of Array.isArray(cookies) ? cookies : cookies === undefined ? [] : [cookies]) {
    expect(String(c), label).not.toContain(MARK);
  }
}

function expectProblem(status: number, contentType: unknown, body: string, label: string): string {
  expect(String(contentType), `${label}: ${status} is not problem+json`).toMatch(
    /^application\/problem\+json/,
  );
  const problem = JSON.parse(body) as { code?: string; status?: number };
  expect(
    PROBLEM_CODES.has(String(problem.code)),
    `${label}: code ${problem.code} is not in the catalogue`,
  ).toBe(true);
  expect(problem.status, label).toBe(status);
  expect(ERRORS[problem.code as keyof typeof ERRORS].status, label).toBe(status);
  return String(problem.code);
}

/** Which tables an answer may have written; anything else changing is a failure. */
function allowedWrites(method: string, status: number, code: string | undefined): Set<string> | 'any' {
  if (status < 400) return method === 'GET' || method === 'HEAD' ? READ_AUDIT : 'any';
  if (code !== undefined && AUDITED_REFUSALS.has(code)) return SIGN_IN_AUDIT;
  return new Set();
}

function expectWrites(
  before: Map<string, number>,
  after: Map<string, number>,
  allowed: Set<string> | 'any',
  label: string,
): string[] {
  let changed = changedTables(before, after);
  if (!changed.includes('ledger_leaves')) changed = changed.filter((t) => !DERIVED_FROM_LEAVES.has(t));
  if (allowed !== 'any') {
    const illegal = changed.filter(
      (t) => !allowed.has(t) && !(allowed.has('ledger_leaves') && DERIVED_FROM_LEAVES.has(t)),
    );
    expect(illegal, `${label}: wrote ${illegal.join(', ')}`).toEqual([]);
  }
  return changed;
}

/**
 * Sends one case and checks the answer. Row counts are taken once between cases: the counts after one
 * case are the counts before the next, which halves the cost of watching every table.
 */
async function runCase(
  app: App,
  counts: () => Promise<Map<string, number>>,
  before: Map<string, number>,
  c: Case,
  caller: SignedIn,
  tally: Tally,
): Promise<Map<string, number>> {
  const label = describeCase(c, caller.name);
  const res = await app.http.inject({
    method: c.method as 'GET',
    url: c.url,
    // The fuzzed headers win, so junk credentials are tried on top of every caller's own.
    headers: { ...caller.headers, ...c.headers } as Record<string, string>,
    remoteAddress: c.remoteAddress,
    ...(c.payload !== undefined ? { payload: c.payload } : {}),
  });
  const after = await counts();
  tally.requests++;
  tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
  if (res.statusCode === 429) caller.limited = true;

  expect(res.statusCode, `${label}: answered ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  expectCleanHeaders(res.headers, label);
  let code: string | undefined;
  if (res.statusCode >= 400) {
    tally.refused++;
    // HEAD answers carry no body to hold the problem document.
    if (c.method !== 'HEAD')
      code = expectProblem(res.statusCode, res.headers['content-type'], res.body, label);
  } else {
    tally.accepted++;
  }
  const wrote = expectWrites(before, after, allowedWrites(c.method, res.statusCode, code), label);
  if (res.statusCode < 400 && wrote.length > 0) {
    tally.acceptedWrites++;
    for (const t of wrote) tally.writers.add(`${c.route} (sent as ${c.method}) -> ${t}`);
  }
  expectNoPollution(label);
  return after;
}

// ---------------------------------------------------------------------------------------------------
// Raw HTTP: what inject cannot send because Node's parser would stop it first

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  head: string;
  body: string;
}

function sendRaw(port: number, request: Buffer): Promise<RawAnswer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      if (!text) return resolve(undefined);
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        head,
        body: Buffer.from(body, 'latin1').toString('utf8'),
      });
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

function rawRequests(op: Operation, ids: string[]): Buffer[] {
  const path = fillPath(op, Object.fromEntries(op.pathParams.map((p) => [p, ids[0] ?? 'x'])));
  const m = op.method;
  const b = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  return [
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nX-Guarantor-Actor: a\rX-Injected: ${MARK}\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nX-Guarantor-Actor: a\nSet-Cookie: ${MARK}=1\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nAccept: a\u0000b\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nAccept: a\r\n b\r\n\r\n`),
    b(`${m} ${path}/`, [0xff, 0xfe, 0xc0, 0xaf], ' HTTP/1.1\r\nHost: x\r\n\r\n'),
    b(`${m} ${path}\r\nX-Injected: ${MARK} HTTP/1.1\r\nHost: x\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nConnection: close\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    b(`${m} ${path} HTTP/1.1\r\nHost: x\r\nX-A: `, [0xff, 0xc0, 0xaf], '\r\nConnection: close\r\n\r\n'),
  ];
}

// ---------------------------------------------------------------------------------------------------

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as {
        name: string;
        in: string;
        schema?: { enum?: unknown[]; default?: unknown };
      }[];
      const body = op.requestBody as { content?: Record<string, unknown> } | undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        queryChoices: Object.fromEntries(
          parameters
            .filter((p) => p.in === 'query' && p.schema?.enum)
            .map((p) => [p.name, p.schema!.enum!.map(String).filter((v) => v !== String(p.schema!.default))]),
        ),
        bodyTypes: Object.keys(body?.content ?? {}),
      });
    }
  }
  return ops;
}

/** Real records, so hostile bodies also reach the routes that act on something that exists. */
async function seed(app: App): Promise<string[]> {
  const s = app.services;
  await s.geography.saveSector(DEMO_SECTORS[0]!);
  await s.geography.saveZone(DEMO_ZONES[0]!);
  const items = [0, 1, 2].map((i) => ({ line: i + 1, value: aReport({ count: i + 1 }) }));
  async function* once() {
    yield items;
  }
  await s.reports.import(once(), { allOrNothing: true });
  const { publicKey } = generateKeyPairSync('ed25519');
  await s.devices.enrol({
    sourceKind: 'sensor',
    sourceId: 'fuzz-sensor-1',
    participant: 'FRA',
    name: 'fuzz sensor',
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'),
  });
  // Brings the stored tree and checkpoint up to the seeded leaves, so the background checkpointer has
  // nothing left to write while the fuzz runs.
  await app.ledger.checkpoint();
  const ids: string[] = [];
  for (const table of [
    'reports',
    'incidents',
    'zones',
    'sectors',
    'devices',
    'accounts',
    'api_tokens',
    'evidence_items',
  ]) {
    try {
      const rows = await sql<{ id: string }>`select id from ${sql.table(table)} limit 2`.execute(
        app.store.db,
      );
      ids.push(...rows.rows.map((r) => String(r.id)));
    } catch {
      // A table the schema does not have (yet) adds no ids.
    }
  }
  return ids;
}

/**
 * `thorough` sends every variant of each fixed body class and the raw HTTP cases; the PostgreSQL run
 * leaves them to the SQLite one, since Node's parser and the router do not depend on the database.
 */
function fuzzEveryRoute(dialect: TestDialect, callers: FuzzCaller[], runs: number, thorough: boolean): void {
  describe(`hostile input to every route (${dialect.name})`, () => {
    let app: App;
    let ops: Operation[];
    let ids: string[];
    let counts: () => Promise<Map<string, number>>;
    const tally: Tally = {
      requests: 0,
      refused: 0,
      accepted: 0,
      acceptedWrites: 0,
      writers: new Set(),
      byStatus: new Map(),
    };

    beforeAll(async () => {
      app = await startApp(dialect);
      ids = await seed(app);
      counts = rowCounter(app, await listTables(app));
      const doc = await app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      ops = operationsOf(doc.json());
    });
    afterAll(async () => {
      await app?.close();
    });

    it('never answers 5xx, always answers a refusal with a catalogued problem, and writes nothing it refuses', {
      timeout: 120_000,
    }, async () => {
      expect(ops.length).toBeGreaterThan(30);
      const perRoute = new Map<string, number>();
      const signedIn: SignedIn[] = [];
      for (const caller of callers) {
        signedIn.push({ name: caller.name, caller, headers: await caller.signIn(app), limited: false });
      }
      for (const op of ops) {
        await refresh(app, signedIn);
        // Signing in writes accounts, sessions and their audit; those rows are not the fuzz's.
        let rows = await counts();
        const sent = tally.requests;
        for (const c of fixedCases(op, ids, thorough)) {
          for (const caller of signedIn) rows = await runCase(app, counts, rows, c, caller, tally);
        }
        await fc.assert(
          fc.asyncProperty(caseFor(op, ids), async (c) => {
            for (const caller of signedIn) rows = await runCase(app, counts, rows, c, caller, tally);
          }),
          { numRuns: runs, endOnFailure: true },
        );
        perRoute.set(`${op.method} ${op.path}`, tally.requests - sent);
      }
      // The process is still whole and still answering.
      expect((await app.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect(Math.min(...perRoute.values())).toBeGreaterThan(runs);
      const statuses = [...tally.byStatus]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      console.log(
        `fuzz: ${tally.requests} cases over ${ops.length} routes (${dialect.name}; callers: ${callers.map((c) => c.name).join(', ')}; ` +
          `${tally.refused} refused, ${tally.accepted} accepted of which ${tally.acceptedWrites} wrote; statuses ${statuses})`,
      );
      if (tally.writers.size)
        console.log(`fuzz: accepted requests that wrote:\n  ${[...tally.writers].sort().join('\n  ')}`);
    });

    if (!thorough) return;
    it('answers requests that Node’s HTTP parser refuses as problems too, and stays up', async () => {
      await app.http.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.http.server.address() as { port: number }).port;
      let sent = 0;
      for (const op of ops) {
        for (const request of rawRequests(op, ids)) {
          const before = await counts();
          const answer = await sendRaw(port, request);
          sent++;
          const label = `raw ${JSON.stringify(request.toString('latin1').slice(0, 160))}`;
          expect(answer, `${label}: no answer`).toBeDefined();
          const a = answer!;
          expect(a.status, `${label}: ${a.head}`).toBeLessThan(500);
          expect(a.headers['x-injected'], label).toBeUndefined();
          expect(a.head.toLowerCase(), label).not.toContain(`set-cookie: ${MARK}`);
          if (a.status >= 400) expectProblem(a.status, a.headers['content-type'], a.body, label);
          const code = a.status >= 400 ? (JSON.parse(a.body) as { code: string }).code : undefined;
          expectWrites(before, await counts(), allowedWrites(op.method, a.status, code), label);
        }
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      console.log(`fuzz: ${sent} raw HTTP cases over ${ops.length} routes (${dialect.name})`);
    });
  });
}

for (const dialect of DIALECTS) {
  const sqlite = dialect.name === 'sqlite';
  fuzzEveryRoute(dialect, CALLERS, sqlite ? RUNS.sqlite : RUNS.postgres, sqlite);
}
