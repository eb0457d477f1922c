import "server-only";
import { missingStorageEnv, storageEnvShape } from "@facet/storage";
import { z } from "zod";

/** A rate limit as `N/SECONDS` ("10/900": ten per fifteen minutes), or `off`. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      if (v.trim() === "off") return null;
      const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
      const limit = Number(m?.[1]);
      const periodSeconds = Number(m?.[2]);
      if (!m || limit < 1 || periodSeconds < 1) {
        ctx.addIssue({ code: "custom", message: 'expected "N/SECONDS" (e.g. "10/900") or "off"' });
        return z.NEVER;
      }
      return { limit, periodSeconds };
    });

/**
 * The web app's configuration, validated once (lazily: `next build` imports routes without it).
 * Nothing else in the app reads process.env. A bad value fails with the variable's name.
 */
const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
    FACET_DB_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(20),
    /**
     * How long a request waits for a connection while the database cannot be reached (restarting)
     * before it is answered 503 UNAVAILABLE with Retry-After; 0: at once.
     */
    FACET_DB_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2_000),
    /**
     * `on`: API answers carry a Server-Timing header saying where the request's time went (auth, rate
     * limits, membership, waiting for a connection, the transaction's set-up, work and commit).
     */
    FACET_SERVER_TIMING: z.enum(["on", "off"]).default("off"),
    FACET_SESSION_TTL_SECONDS: z.coerce.number().int().min(300).max(2_592_000).default(604_800),
    /** One access token's life; the rotating refresh token continues the session until FACET_SESSION_TTL_SECONDS. */
    FACET_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    /**
     * How many reverse proxies stand in front of the web app (0: none, clients connect directly). Their
     * X-Forwarded-For/-Host/-Proto are trusted only then; without one, those headers are dropped.
     */
    FACET_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
    /** Wrong passwords per account, and per client address (sign-in, `facet login`, invitations). */
    FACET_RATE_LIMIT_SIGN_IN: rateLimit("10/900"),
    FACET_RATE_LIMIT_SIGN_IN_ADDRESS: rateLimit("50/900"),
    /** Invitation links opened or accepted per client address. */
    FACET_RATE_LIMIT_INVITATIONS: rateLimit("30/900"),
    /** API requests per user and per API key. */
    FACET_RATE_LIMIT_API: rateLimit("6000/60"),
    /** Files declared or completed per user (uploads). */
    FACET_RATE_LIMIT_UPLOADS: rateLimit("100000/3600"),
    /** Live event streams open at once per user (all tabs, all web processes). */
    FACET_MAX_EVENT_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1000).default(20),
    /** How often an open event stream checks again that its caller may still see the workspace. */
    FACET_STREAM_RECHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
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
    /**
     * A bearer token for Prometheus scrapes of /api/metrics (every workspace's figures, no session).
     * Unset: only signed-in workspace admins read metrics, for their own workspaces.
     */
    FACET_METRICS_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(24, "FACET_METRICS_TOKEN needs at least 24 characters").optional(),
    ),
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
