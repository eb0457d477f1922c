import { describe, expect, it } from "vitest";
import { AppError, ERROR_STATUS, type ErrorCode, isAppError, isErrorCode } from "./errors";

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

describe("ERROR_STATUS", () => {
  it("maps every code to an HTTP error status", () => {
    for (const c of CODES) {
      expect(Number.isInteger(ERROR_STATUS[c]), c).toBe(true);
      expect(ERROR_STATUS[c] >= 400 && ERROR_STATUS[c] <= 599, c).toBe(true);
    }
  });

  it.each([
    ["BAD_REQUEST", 400],
    ["VALIDATION_FAILED", 400],
    ["INVALID_JSON", 400],
    ["UNAUTHENTICATED", 401],
    ["INVALID_CREDENTIALS", 401],
    ["WEAK_PASSWORD", 400],
    ["TOKEN_EXPIRED", 401],
    ["TOKEN_INVALID", 401],
    ["SESSION_REVOKED", 401],
    ["FORBIDDEN", 403],
    ["NOT_A_MEMBER", 403],
    ["ROLE_REQUIRED", 403],
    ["NOT_FOUND", 404],
    ["QUEUE_EMPTY", 404],
    ["HOLD_LIMIT", 409],
    ["METHOD_NOT_ALLOWED", 405],
    ["CONFLICT", 409],
    ["ALREADY_SET_UP", 409],
    ["EMAIL_TAKEN", 409],
    ["LAST_ADMIN", 409],
    ["ILLEGAL_TRANSITION", 409],
    ["INCOMPLETE_ANNOTATION", 409],
    ["UNCONFIRMED_FACES", 409],
    ["INVITATION_INVALID", 410],
    ["SHARE_LINK_INVALID", 410],
    ["SCOPE_REQUIRED", 403],
    ["EMPTY_FILE", 400],
    ["NOT_A_STEP_FILE", 415],
    ["CONTENT_MISMATCH", 422],
    ["UPLOAD_MISSING", 409],
    ["PAYLOAD_TOO_LARGE", 413],
    ["RATE_LIMITED", 429],
    ["INTERNAL", 500],
    ["UNAVAILABLE", 503],
  ] as const)("%s -> %i", (code, status) => {
    expect(ERROR_STATUS[code]).toBe(status);
    expect(new AppError(code, "m").status).toBe(status);
  });

  it("has no code left out of the table above", () => {
    expect(CODES).toHaveLength(34);
  });
});

describe("AppError", () => {
  it("is an Error with a name, code and message", () => {
    const e = new AppError("NOT_FOUND", "no such part");
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AppError);
    expect(e.name).toBe("AppError");
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toBe("no such part");
    expect(e.details).toBeUndefined();
    expect(typeof e.stack).toBe("string");
  });

  it("serialises to {error:{code,message}} without details when none are given", () => {
    const e = new AppError("FORBIDDEN", "admins only");
    expect(e.toJSON()).toEqual({ error: { code: "FORBIDDEN", message: "admins only" } });
    expect(Object.hasOwn(e.toJSON().error, "details")).toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ error: { code: "FORBIDDEN", message: "admins only" } });
  });

  it("includes details when given", () => {
    const details = { field: "email", allowed: ["a", "b"] };
    const e = new AppError("VALIDATION_FAILED", "bad input", details);
    expect(e.details).toEqual(details);
    expect(e.toJSON()).toEqual({ error: { code: "VALIDATION_FAILED", message: "bad input", details } });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      error: { code: "VALIDATION_FAILED", message: "bad input", details },
    });
  });

  it("does not leak the stack or name in its JSON", () => {
    const json = JSON.stringify(new AppError("INTERNAL", "boom", { id: 1 }));
    expect(json).not.toContain("stack");
    expect(json).not.toContain("AppError");
  });

  it("isUserError is true for 4xx and false for 5xx, for every code", () => {
    for (const c of CODES) {
      const e = new AppError(c, "m");
      expect(e.isUserError, c).toBe(ERROR_STATUS[c] < 500);
    }
    expect(new AppError("CONFLICT", "m").isUserError).toBe(true);
    expect(new AppError("RATE_LIMITED", "m").isUserError).toBe(true);
    expect(new AppError("INTERNAL", "m").isUserError).toBe(false);
    expect(new AppError("UNAVAILABLE", "m").isUserError).toBe(false);
  });
});

describe("isAppError / isErrorCode", () => {
  it("isAppError tells AppErrors from other values", () => {
    expect(isAppError(new AppError("CONFLICT", "x"))).toBe(true);
    expect(isAppError(new Error("x"))).toBe(false);
    expect(isAppError({ code: "CONFLICT", message: "x", name: "AppError" })).toBe(false);
    expect(isAppError(null)).toBe(false);
    expect(isAppError(undefined)).toBe(false);
  });

  it("isErrorCode accepts the codes only, not inherited properties", () => {
    for (const c of CODES) expect(isErrorCode(c)).toBe(true);
    for (const bad of ["not_found", "NOPE", "", "toString", "constructor", "__proto__", "hasOwnProperty", 404, null]) {
      expect(isErrorCode(bad), String(bad)).toBe(false);
    }
  });
});

describe("AppError from another copy of this module", () => {
  it("is recognised by instanceof and isAppError (bundlers may load the module twice in one process)", async () => {
    // a fresh module instance, as a second bundle would have
    const other = (await import(`./errors?copy=${Date.now()}`)) as typeof import("./errors");
    expect(other.AppError).not.toBe(AppError);
    const e = new other.AppError("INVALID_CREDENTIALS", "wrong email or password");
    expect(e instanceof AppError).toBe(true);
    expect(isAppError(e)).toBe(true);
    expect(new Error("x") instanceof AppError).toBe(false);
    expect(isAppError({ code: "NOT_FOUND", message: "forged" })).toBe(false);
  });
});
