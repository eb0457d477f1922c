import "server-only";
import { missingStorageEnv, storageEnvShape } from "@facet/storage";
import { z } from "zod";

/**
 * The web app's configuration, validated once (lazily: `next build` imports routes without it).
 * Nothing else in the app reads process.env. A bad value fails with the variable's name.
 */
const schema = z
  .object({
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
    FACET_DB_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(20),
    FACET_SESSION_TTL_SECONDS: z.coerce.number().int().min(300).max(2_592_000).default(604_800),
    FACET_AUTH: z.enum(["embedded", "supabase"]).default("embedded"),
    FACET_JWT_SECRET: z.string().min(32, "FACET_JWT_SECRET needs at least 32 characters").optional(),
    SUPABASE_URL: z.string().url().optional(),
    SUPABASE_ANON_KEY: z.string().min(1).optional(),
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
    SUPABASE_JWT_SECRET: z.string().min(32).optional(),
    ...storageEnvShape,
    FACET_MAX_UPLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(512 * 1024 * 1024),
    FACET_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    /** Who runs queued jobs: graphile-worker (takes them in the queuing transaction) or Trigger.dev. */
    FACET_JOBS: z.enum(["graphile", "trigger"]).default("graphile"),
    TRIGGER_SECRET_KEY: z.string().min(1).optional(),
  })
  .superRefine((e, ctx) => {
    const need = (name: keyof typeof e, why: string) => {
      if (!e[name]) ctx.addIssue({ code: "custom", path: [name], message: `${name} is required ${why}` });
    };
    if (e.FACET_AUTH === "embedded") need("FACET_JWT_SECRET", "with FACET_AUTH=embedded");
    if (e.FACET_JOBS === "trigger") need("TRIGGER_SECRET_KEY", "with FACET_JOBS=trigger");
    for (const name of missingStorageEnv(e)) need(name, `with FACET_STORAGE=${e.FACET_STORAGE}`);
    if (e.FACET_AUTH === "supabase") {
      need("SUPABASE_URL", "with FACET_AUTH=supabase");
      need("SUPABASE_ANON_KEY", "with FACET_AUTH=supabase");
      need("SUPABASE_SERVICE_ROLE_KEY", "with FACET_AUTH=supabase");
    }
  });

export type WebEnv = z.infer<typeof schema>;

let cached: WebEnv | undefined;

export function env(): WebEnv {
  if (cached) return cached;
  const r = schema.safeParse(process.env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid web configuration:\n${lines.join("\n")}`);
  }
  cached = r.data;
  return cached;
}
