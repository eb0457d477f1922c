import { DEFAULT_PRELABELERS, parsePrelabelersConfig } from "@facet/prelabel";
import { missingStorageEnv, storageEnvShape } from "@facet/storage";
import { z } from "zod";

/**
 * FACET_PRELABELERS: the pre-labelers run after tessellation, as JSON, e.g.
 * `[{"kind":"rules"},{"kind":"remote","id":"aagnet","url":"http://models:8000/predict","crosswalk":"mfcadpp"}]`
 * (docs/prelabel-remote-contract.md); `[]` turns pre-labelling off. Default: the built-in rules.
 */
export const prelabelEnvShape = {
  FACET_PRELABELERS: z
    .string()
    .default(DEFAULT_PRELABELERS)
    .transform((text, ctx) => {
      try {
        return parsePrelabelersConfig(text);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    }),
};

/** The worker's configuration: parsed once at start; nothing else reads process.env. */
const schema = z
  .object({
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
    FACET_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    FACET_WORKER_POOL_SIZE: z.coerce.number().int().min(2).max(50).default(6),
    ...storageEnvShape,
    /** A geometry job taking longer is stopped (its process killed) and the part fails with the reason. */
    FACET_GEOMETRY_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(300),
    /** Resident memory a geometry process may reach before it is killed. */
    FACET_GEOMETRY_MEMORY_MB: z.coerce.number().int().min(256).max(65_536).default(3072),
    /** Geometry processes (OpenCascade), each one file at a time; default: one per job slot, at most one per core. */
    FACET_GEOMETRY_PROCESSES: z.coerce.number().int().min(1).max(32).optional(),
    ...prelabelEnvShape,
  })
  .superRefine((e, ctx) => {
    for (const k of missingStorageEnv(e)) {
      ctx.addIssue({ code: "custom", path: [k], message: `required with FACET_STORAGE=${e.FACET_STORAGE}` });
    }
  });

export type WorkerEnv = z.infer<typeof schema>;

export function parseWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseEnvWith(schema, env, "worker");
}

/** Parse the environment (empty values count as unset); a bad value fails with every variable's name. */
export function parseEnvWith<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.infer<S> {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(given);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid ${what} configuration:\n${lines.join("\n")}`);
  }
  return r.data;
}
