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

/** What a duplicate means, per unique constraint, in words for the people who hit it. */
const UNIQUE_MESSAGES: Record<string, string> = {
  datasets_workspace_id_name_key: "a dataset with this name already exists in this workspace: choose another name",
  workspaces_slug_key: "a workspace with this address already exists: choose another name",
  label_schemas_workspace_id_name_version_key: "this label schema version already exists",
  annotation_revisions_part_id_revision_no_key: "someone saved a newer revision meanwhile: reload the part",
  workspace_members_pkey: "this person is a member already",
  parts_dataset_id_blob_sha256_key: "this file is in the dataset already",
  users_email_partial_key: "an account with this email already exists: sign in instead",
  snapshots_workspace_id_name_key: "a snapshot with this name already exists in this workspace: choose another name",
  saved_filters_workspace_id_user_id_name_key: "you have a saved filter with this name already",
};

/** What a refused deletion means, per foreign key that keeps the row it points at. */
const STILL_REFERENCED: Record<string, string> = {
  snapshot_parts_workspace_id_part_id_fkey:
    "this part is in a snapshot, and snapshots never change: it cannot be discarded",
  snapshots_workspace_id_dataset_id_fkey:
    "this dataset has snapshots, and snapshots never change: it cannot be deleted",
};

/** Node's and PostgreSQL's ways of saying the server is not there (stopped, restarting, unreachable). */
const UNREACHABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND"]);
// 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting, recovering)
const UNREACHABLE_SQLSTATE = new Set(["57P01", "57P02", "57P03"]);

/**
 * The database could not be reached or went away mid-request (restarted, crashed, still recovering):
 * an UNAVAILABLE error telling the caller to try again shortly, or null for any other error. Never
 * Node's message, which names the server's address.
 */
export function databaseUnavailable(e: unknown): AppError | null {
  if (e instanceof AppError || typeof e !== "object" || e === null) return null;
  const { code, message } = e as PgError;
  const unreachable =
    (code !== undefined && (UNREACHABLE_ERRNO.has(code) || UNREACHABLE_SQLSTATE.has(code) || code.startsWith("08"))) ||
    /Connection terminated|terminating connection|encountered a connection error and is not queryable|timeout exceeded when trying to connect|the database system is (starting up|in recovery mode|shutting down)/i.test(
      message ?? "",
    );
  return unreachable
    ? new AppError("UNAVAILABLE", "the database is not reachable at the moment: try again in a few seconds", {
        retryAfterSeconds: 5,
      })
    : null;
}

/**
 * Map what Postgres refused to a stable AppError. The database's own messages are written
 * for people (see the migrations), so they are passed through.
 */
export function toAppError(e: unknown): unknown {
  const gone = databaseUnavailable(e);
  if (gone) return gone;
  if (!isPgError(e) || e instanceof AppError) return e;
  const message = e.message ?? "database error";
  switch (e.code) {
    case "FC001":
      return new AppError("ILLEGAL_TRANSITION", message, e.detail ? { allowed: e.detail } : undefined);
    case "FC002":
      return new AppError("LAST_ADMIN", message);
    // erasure refused: the person belongs to other workspaces too
    case "FC030":
      return new AppError("CONFLICT", message);
    case "FC031":
      return new AppError("NOT_FOUND", message);
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
    case "FC011":
      return new AppError("HOLD_LIMIT", message);
    case "FC008":
      return new AppError("INCOMPLETE_ANNOTATION", message, e.detail ? { detail: e.detail } : undefined);
    case "FC020":
    case "FC022":
      return new AppError("CONFLICT", message);
    case "FC012":
      // the detail lists the faces, least confident first
      return new AppError("UNCONFIRMED_FACES", message, {
        faces: (e.detail ?? "").split(",").filter(Boolean).map(Number),
      });
    case "42501":
      return new AppError(
        "FORBIDDEN",
        message.startsWith("new row violates row-level security") ? "your role does not allow this change" : message,
      );
    case "23505":
      // never a constraint's name: it means nothing to people and can tell what exists elsewhere
      return new AppError("CONFLICT", (e.constraint && UNIQUE_MESSAGES[e.constraint]) ?? "this already exists");
    case "23503": {
      const kept = e.constraint ? STILL_REFERENCED[e.constraint] : undefined;
      return kept ? new AppError("CONFLICT", kept) : new AppError("NOT_FOUND", "a referenced record does not exist");
    }
    case "23514":
    case "22023":
    case "22P02":
    case "22001":
      return new AppError("VALIDATION_FAILED", message);
    // a NUL character, a number out of range, a document nested too deep: the input, not the server
    case "22021":
    case "22P05":
      return new AppError("VALIDATION_FAILED", "text may not contain NUL characters");
    case "22003":
      return new AppError("VALIDATION_FAILED", "a number is out of range");
    // a date or time that is none (a forged cursor, a parameter): the input, not the server
    case "22007":
    case "22008":
      return new AppError("VALIDATION_FAILED", "not a valid date or time");
    case "54001":
      return new AppError("VALIDATION_FAILED", "the input is nested too deeply");
    default:
      return e;
  }
}
