import { AppError } from "@facet/core";

/** Deeper than any request Facet takes (annotation documents are about 4 levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * What no input of ours may hold, whatever its schema: NUL characters (PostgreSQL text cannot store
 * them) and nesting deeper than MAX_JSON_DEPTH (a bomb for validators, loggers and serialisers).
 * Checked on every JSON body and path parameter before its schema, iteratively (no recursion to blow).
 */
export function checkJsonInput(value: unknown): void {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === "string") {
      if (v.includes("\u0000")) throw new AppError("VALIDATION_FAILED", "text may not contain NUL characters");
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new AppError(
        "VALIDATION_FAILED",
        `the JSON document is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`,
      );
    }
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
    } else {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes("\u0000")) throw new AppError("VALIDATION_FAILED", "text may not contain NUL characters");
        stack.push({ v: item, depth: depth + 1 });
      }
    }
  }
}
