import type { Taxonomy } from "@facet/core";
import { z } from "zod";
import { createRemotePrelabeler, type RemotePrelabelerDeps, remotePrelabelerConfigSchema } from "./remote";
import { createRulePrelabeler } from "./rules/recognise";
import type { Prelabeler } from "./types";

const rulesConfigSchema = z.strictObject({ kind: z.literal("rules") });

/**
 * Which pre-labelers run after tessellation, in order: the built-in rules and any number of
 * remote models. `[]` turns pre-labelling off (parts wait `unannotated`).
 */
export const prelabelersConfigSchema = z
  .array(z.discriminatedUnion("kind", [rulesConfigSchema, remotePrelabelerConfigSchema]))
  .max(8, "at most 8 pre-labelers")
  .superRefine((list, ctx) => {
    const ids = list.map((c) => (c.kind === "rules" ? "facet-rules" : c.id));
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: "custom", path: [i], message: `pre-labeler ${id} is listed twice` });
    });
  });
export type PrelabelersConfig = z.output<typeof prelabelersConfigSchema>;

/** The built-in rules alone: what runs when nothing is configured. */
export const DEFAULT_PRELABELERS = '[{"kind":"rules"}]';

/** Parse the configuration's JSON text (as the environment holds it); errors name every bad key. */
export function parsePrelabelersConfig(text: string, source = "FACET_PRELABELERS"): PrelabelersConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const r = prelabelersConfigSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${source}${i.path.map((p) => `[${String(p)}]`).join("")}: ${i.message}`);
    throw new Error(`invalid ${source}:\n${lines.join("\n")}`);
  }
  return r.data;
}

export function createPrelabelers(
  configs: PrelabelersConfig,
  deps: RemotePrelabelerDeps & { taxonomy?: Taxonomy } = {},
): Prelabeler[] {
  return configs.map((c) =>
    c.kind === "rules"
      ? createRulePrelabeler(deps.taxonomy ? { taxonomy: deps.taxonomy } : {})
      : createRemotePrelabeler(c, deps),
  );
}
