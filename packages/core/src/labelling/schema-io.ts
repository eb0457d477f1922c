import { z } from "zod";
import { type Taxonomy, taxonomySchema } from "../taxonomy";

export const SCHEMA_FILE_FORMAT = "facet.label-schema";

export const labelSchemaNameSchema = z
  .string()
  .trim()
  .min(1, "a schema needs a name")
  .max(80, "schema names are at most 80 characters")
  .regex(/^[^\p{Cc}]*$/u, "no control characters in a schema name");

/**
 * A label schema as a file (export and import): its name and classes. The version it had is said
 * for people reading the file; importing it makes a new version (or a new schema), never overwrites one.
 */
export const labelSchemaFileSchema = z
  .object({
    format: z.literal(SCHEMA_FILE_FORMAT, `"format" must be "${SCHEMA_FILE_FORMAT}"`),
    formatVersion: z.literal(1, "only formatVersion 1 is known"),
    name: labelSchemaNameSchema,
    version: z.number().int().positive().optional(),
    taxonomy: taxonomySchema,
  })
  .strict();

export type LabelSchemaFile = z.infer<typeof labelSchemaFileSchema>;

export function labelSchemaFile(s: { name: string; version: number; taxonomy: Taxonomy }): LabelSchemaFile {
  return { format: SCHEMA_FILE_FORMAT, formatVersion: 1, name: s.name, version: s.version, taxonomy: s.taxonomy };
}

/** Each zod issue as "path: message" (the path in the file's terms: taxonomy.featureTypes.3.colour). */
export function issueLines(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, max = 10): string[] {
  return issues.slice(0, max).map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
}

/** A schema file's text (pasted or uploaded): the file, or every problem found, in words a person can act on. */
export function parseLabelSchemaFile(
  text: string,
): { ok: true; file: LabelSchemaFile } | { ok: false; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [`not JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const r = labelSchemaFileSchema.safeParse(data);
  return r.success ? { ok: true, file: r.data } : { ok: false, problems: issueLines(r.error.issues) };
}
