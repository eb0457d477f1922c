import { AppError } from "@facet/core";

/** Where a keyset page ended: the last row's sort value and id (pages in (value, id) order). */
export interface Cursor {
  v: string | number;
  id: string;
}

/** The cursor as the opaque token clients pass back. */
export const writeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString("base64url");

/** A token this list gave out, or VALIDATION_FAILED (`what` names the list in the message). */
export function readCursor(token: string, what: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Cursor;
    // ids are uuids, or whole numbers (identity columns)
    if (
      typeof c?.id === "string" &&
      /^([0-9a-f-]{36}|\d{1,19})$/.test(c.id) &&
      ["string", "number"].includes(typeof c.v)
    )
      return c;
  } catch {
    // fall through
  }
  throw new AppError("VALIDATION_FAILED", `cursor: not a cursor ${what} gave out`);
}
