import { AppError } from "@facet/core";

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
}

function isPgError(e: unknown): e is PgError {
  return typeof e === "object" && e !== null && typeof (e as PgError).code === "string";
}

/**
 * Map what Postgres refused to a stable AppError. The database's own messages are written
 * for people (see the migrations), so they are passed through.
 */
export function toAppError(e: unknown): unknown {
  if (!isPgError(e) || e instanceof AppError) return e;
  const message = e.message ?? "database error";
  switch (e.code) {
    case "FC001":
      return new AppError("ILLEGAL_TRANSITION", message, e.detail ? { allowed: e.detail } : undefined);
    case "FC002":
      return new AppError("LAST_ADMIN", message);
    case "FC003":
    case "FC005":
      return new AppError("CONFLICT", message);
    case "FC004":
      return new AppError("FORBIDDEN", message);
    case "FC006":
    case "FC010":
      return new AppError("CONFLICT", message);
    case "FC007":
      return new AppError("INVITATION_INVALID", message);
    case "FC009":
      return new AppError("SHARE_LINK_INVALID", message);
    case "FC008":
      return new AppError("INCOMPLETE_ANNOTATION", message, e.detail ? { detail: e.detail } : undefined);
    case "42501":
      return new AppError(
        "FORBIDDEN",
        message.startsWith("new row violates row-level security") ? "your role does not allow this change" : message,
      );
    case "23505":
      return new AppError("CONFLICT", `already exists (${e.constraint ?? "unique constraint"})`);
    case "23503":
      return new AppError("NOT_FOUND", "a referenced record does not exist");
    case "23514":
    case "22023":
    case "22P02":
    case "22001":
      return new AppError("VALIDATION_FAILED", message);
    default:
      return e;
  }
}
