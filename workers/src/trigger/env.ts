import { missingStorageEnv, storageEnvShape } from "@facet/storage";
import { z } from "zod";
import { parseEnvWith, prelabelEnvShape } from "../env";

/** Configuration of the Trigger.dev tasks (set in the Trigger.dev project's environment variables). */
const schema = z
  .object({
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
    ...storageEnvShape,
    /** The geometry kernel's wasm (facet-occt.wasm), when not where the deployment ships it. */
    FACET_OCCT_WASM: z.string().min(1).optional(),
    ...prelabelEnvShape,
  })
  .superRefine((e, ctx) => {
    for (const k of missingStorageEnv(e)) {
      ctx.addIssue({ code: "custom", path: [k], message: `required with FACET_STORAGE=${e.FACET_STORAGE}` });
    }
  });

export type TriggerTaskEnv = z.infer<typeof schema>;

export function parseTriggerTaskEnv(env: NodeJS.ProcessEnv = process.env): TriggerTaskEnv {
  return parseEnvWith(schema, env, "Trigger.dev task");
}
