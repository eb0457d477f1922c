import path from "node:path";
import { emailSchema, passwordSchema } from "@facet/core";
import { z } from "zod";

/** `npm start`'s configuration, parsed once. Every variable is optional: the defaults run Facet on one machine. */
export function parseLauncherEnv(env: NodeJS.ProcessEnv, repoRoot: string) {
  const schema = z
    .object({
      PORT: z.coerce.number().int().min(1).max(65535).default(3000),
      FACET_HOST: z.string().min(1).default("127.0.0.1"),
      FACET_DATA_DIR: z.string().min(1).default(path.join(repoRoot, ".data")),
      FACET_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
      FACET_PUBLIC_URL: z.string().url().optional(),
      FACET_ADMIN_EMAIL: emailSchema.optional(),
      FACET_ADMIN_PASSWORD: passwordSchema.optional(),
      FACET_WORKSPACE_NAME: z.string().trim().min(1).max(80).default("My workspace"),
      FACET_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    })
    .refine((e) => Boolean(e.FACET_ADMIN_EMAIL) === Boolean(e.FACET_ADMIN_PASSWORD), {
      message: "set both FACET_ADMIN_EMAIL and FACET_ADMIN_PASSWORD, or neither",
      path: ["FACET_ADMIN_PASSWORD"],
    });
  // an empty variable means "not set"
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(given);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = r.data;
  return { ...e, FACET_DATA_DIR: path.resolve(e.FACET_DATA_DIR) };
}

export type LauncherEnv = ReturnType<typeof parseLauncherEnv>;
