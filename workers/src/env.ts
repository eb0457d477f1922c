import { z } from "zod";

/** The worker's configuration: parsed once at start; nothing else reads process.env. */
const schema = z
  .object({
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
    FACET_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    FACET_WORKER_POOL_SIZE: z.coerce.number().int().min(2).max(50).default(6),
    FACET_STORAGE: z.enum(["fs", "s3"]).default("fs"),
    FACET_DATA_DIR: z.string().min(1).default(".data"),
    FACET_PUBLIC_URL: z.string().url().default("http://localhost:3000"),
    FACET_BLOB_URL_SECRET: z.string().min(32).optional(),
    S3_BUCKET: z.string().min(3).optional(),
    S3_REGION: z.string().min(1).default("auto"),
    S3_ENDPOINT: z.string().url().optional(),
    S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false"),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** A geometry job taking longer is stopped (its process killed) and the part fails with the reason. */
    FACET_GEOMETRY_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(300),
    /** Resident memory a geometry process may reach before it is killed. */
    FACET_GEOMETRY_MEMORY_MB: z.coerce.number().int().min(256).max(65_536).default(3072),
  })
  .superRefine((e, ctx) => {
    if (e.FACET_STORAGE === "fs" && !e.FACET_BLOB_URL_SECRET) {
      ctx.addIssue({ code: "custom", path: ["FACET_BLOB_URL_SECRET"], message: "required with FACET_STORAGE=fs" });
    }
    if (e.FACET_STORAGE === "s3") {
      for (const k of ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
        if (!e[k]) ctx.addIssue({ code: "custom", path: [k], message: "required with FACET_STORAGE=s3" });
      }
    }
  });

export type WorkerEnv = z.infer<typeof schema>;

export function parseWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(given);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid worker configuration:\n${lines.join("\n")}`);
  }
  return r.data;
}
