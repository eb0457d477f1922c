import { AppError } from "@facet/core";
import { expect } from "vitest";
import { PrelabelError } from "./types";

/** For tests: run `fn`, expect it to throw an AppError VALIDATION_FAILED, and return the error. */
export function validationError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("VALIDATION_FAILED");
    return e as AppError;
  }
  throw new Error("expected a VALIDATION_FAILED error");
}

/** For tests: run `fn`, expect it to throw a PrelabelError with this reason and a message matching `message`. */
export function expectPrelabelError(fn: () => unknown, reason: PrelabelError["reason"], message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PrelabelError);
    expect((e as PrelabelError).reason).toBe(reason);
    expect((e as PrelabelError).message).toMatch(message);
    return;
  }
  throw new Error(`expected a PrelabelError ${reason}`);
}
