/**
 * The one error catalogue. Every error a client can see has a stable code here, documented in the
 * OpenAPI description; clients match on `code`, never on the wording of `title` or `detail`.
 * Responses are RFC 9457 problem details (`application/problem+json`).
 */

export const ERRORS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not well-formed JSON' },
  malformed_csv: { status: 400, title: 'The CSV is not well-formed' },
  invalid_cursor: { status: 400, title: 'The cursor is not valid' },
  unauthenticated: { status: 401, title: 'Sign-in required' },
  // One answer for an unknown username, a wrong password or code, a locked or disabled account.
  sign_in_failed: { status: 401, title: 'The username, password or code is not right, or sign-in is paused' },
  totp_required: { status: 401, title: 'A code from the authenticator app is required' },
  forbidden: { status: 403, title: 'Not allowed' },
  csrf_failed: { status: 403, title: 'The request’s CSRF token is missing or wrong' },
  cors_refused: { status: 403, title: 'This origin may not call the API from a browser' },
  totp_enrolment_required: { status: 403, title: 'Set up the authenticator app before going on' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  not_acceptable: { status: 406, title: 'No acceptable representation' },
  request_timeout: { status: 408, title: 'The request took too long to arrive' },
  idempotency_conflict: {
    status: 409,
    title: 'This idempotency key was already used with a different body',
  },
  state_conflict: { status: 409, title: 'The record is not in a state that allows this' },
  username_taken: { status: 409, title: 'That username is taken' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  unprocessable: { status: 422, title: 'The request cannot be carried out' },
  password_rejected: { status: 422, title: 'The password does not meet the policy' },
  totp_invalid: { status: 422, title: 'The code from the authenticator app is not right' },
  import_rejected: { status: 422, title: 'The import was rolled back' },
  invalid_signature: { status: 422, title: 'The report’s signature does not verify' },
  signature_required: { status: 422, title: 'Reports from this kind of source must be signed' },
  rate_limited: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  internal: { status: 500, title: 'Internal error' },
  evidence_damaged: { status: 500, title: 'A stored evidence file no longer matches its recorded hash' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldError {
  /** JSON pointer-like dotted path to the offending field, e.g. `observer.lat`. */
  field: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  field?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown anywhere in request handling; the HTTP layer renders it as problem+json. */
export class Problem extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: { field?: string; errors?: FieldError[]; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail ?? ERRORS[code].title);
    this.name = 'Problem';
    this.code = code;
    this.status = ERRORS[code].status;
    this.field = options.field ?? options.errors?.[0]?.field;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
  }

  toJSON(instance?: string): ProblemDetails {
    const body: ProblemDetails = {
      type: `https://guarantor.invalid/problems/${this.code}`,
      title: ERRORS[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.message,
      ...this.extensions,
    };
    if (instance) body.instance = instance;
    if (this.field !== undefined) body.field = this.field;
    if (this.errors) body.errors = this.errors;
    return body;
  }
}

export function isProblem(e: unknown): e is Problem {
  return e instanceof Problem;
}
