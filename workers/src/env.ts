import { z } from "zod";

/** The worker's configuration: parsed once at start; nothing else reads process.env. */
const schema = z.object({
  DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
  FACET_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  FACET_WORKER_POOL_SIZE: z.coerce.number().int().min(2).max(50).default(6),
});

export type WorkerEnv = z.infer<typeof schema>;

export function parseWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const r = schema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid worker configuration:\n${lines.join("\n")}`);
  }
  return r.data;
}
