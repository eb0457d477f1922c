/**
 * One error type with stable codes. Clients branch on `code`; people read `message`.
 * The HTTP status of each code is decided here and nowhere else.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  /** A password that is too short or too easy to guess (a common password, a pattern, the email). */
  WEAK_PASSWORD: 400,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  SESSION_REVOKED: 401,
  FORBIDDEN: 403,
  NOT_A_MEMBER: 403,
  ROLE_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  ALREADY_SET_UP: 409,
  EMAIL_TAKEN: 409,
  LAST_ADMIN: 409,
  ILLEGAL_TRANSITION: 409,
  /** A part cannot go to review yet: faces without a label, or no labels on its current faces. */
  INCOMPLETE_ANNOTATION: 409,
  /** Unsure pre-labelled faces were neither changed nor confirmed (`details.faces`). */
  UNCONFIRMED_FACES: 409,
  QUEUE_EMPTY: 404,
  /** The annotator holds as many parts of the dataset as it allows at once. */
  HOLD_LIMIT: 409,
  INVITATION_INVALID: 410,
  /** A share link that was revoked, expired or never existed. */
  SHARE_LINK_INVALID: 410,
  SCOPE_REQUIRED: 403,
  EMPTY_FILE: 400,
  NOT_A_STEP_FILE: 415,
  CONTENT_MISMATCH: 422,
  UPLOAD_MISSING: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Marks AppErrors across copies of this module: a bundler may load `@facet/core` more than once in
 * one process (Next.js bundles its proxy apart from its routes, and they share adapters), and an
 * error made by one copy must still be recognised by the others.
 */
const BRAND = Symbol.for("facet.AppError");

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** User errors (4xx) are expected; only system errors are logged as failures. */
  get isUserError(): boolean {
    return this.status < 500;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_STATUS, code);
}
