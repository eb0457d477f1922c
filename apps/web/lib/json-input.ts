import { AppError, isWellFormedText } from "@facet/core";

/** Deeper than any request Facet takes (annotation documents are about 4 levels). */
export const MAX_JSON_DEPTH = 32;

function checkText(text: string): void {
  if (text.includes("\u0000")) throw new AppError("VALIDATION_FAILED", "text may not contain NUL characters");
  if (!isWellFormedText(text))
    throw new AppError(
      "VALIDATION_FAILED",
      "text must be well-formed Unicode (it holds a lone surrogate, \\ud800-\\udfff)",
    );
}

/**
 * What no input of ours may hold, whatever its schema: NUL characters (PostgreSQL text cannot store
 * them), lone surrogates (no UTF-8 for them: PostgreSQL's json refuses them, its text would store
 * U+FFFD instead of what was sent) and nesting deeper than MAX_JSON_DEPTH (a bomb for validators,
 * loggers and serialisers).
 * Checked on every JSON body and path parameter before its schema, iteratively (no recursion to blow).
 */
export function checkJsonInput(value: unknown): void {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === "string") {
      checkText(v);
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
        checkText(k);
        stack.push({ v: item, depth: depth + 1 });
      }
    }
  }
}
