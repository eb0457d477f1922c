import { AppError } from "@facet/core";
import { expect } from "vitest";

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
