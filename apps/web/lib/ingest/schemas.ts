import { isWellFormedText, sha256HexSchema } from "@facet/core";
import { z } from "zod";

/**
 * A part's file name as people see it. Never used as a path: names with separators, control
 * characters or absurd lengths are refused rather than cleaned, so what was uploaded is what is shown.
 */
export const partNameSchema = z
  .string()
  .min(1, "the file name is empty")
  .max(255, "file names are limited to 255 characters")
  .refine((n) => !/[/\\]/.test(n), "file names cannot contain path separators (/ or \\)")
  .refine((n) => !/\p{Cc}/u.test(n), "file names cannot contain control characters")
  .refine(isWellFormedText, "file names must be well-formed Unicode (this one holds a lone surrogate)")
  .refine((n) => n !== "." && n !== "..", "not a file name");

export const declaredFileSchema = z.object({
  name: partNameSchema,
  size: z.number().int().nonnegative(),
  sha256: sha256HexSchema,
});
export type DeclaredFile = z.infer<typeof declaredFileSchema>;

export const beginUploadsSchema = z.object({ files: z.array(z.unknown()).min(1).max(1000) });
