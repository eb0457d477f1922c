import "server-only";
import path from "node:path";
import { type AuthProvider, EmbeddedAuthProvider } from "@facet/auth";
import { createPool, type Pool } from "@facet/db";
import { type BlobStore, createBlobStore } from "@facet/storage";
import { env } from "./env.server";

interface Context {
  pool: Pool;
  auth: AuthProvider;
  store: BlobStore;
}

// One set of adapters per server process, chosen by configuration; survives hot reloads in dev.
const holder = globalThis as unknown as { __facet?: Promise<Context> };

export function context(): Promise<Context> {
  holder.__facet ??= build().catch((e) => {
    holder.__facet = undefined;
    throw e;
  });
  return holder.__facet;
}

async function build(): Promise<Context> {
  const e = env();
  const pool = createPool(e.DATABASE_URL, { max: e.FACET_DB_POOL_SIZE, applicationName: "facet-web" });
  const auth: AuthProvider =
    e.FACET_AUTH === "supabase"
      ? new (await import("@facet/auth/supabase")).SupabaseAuthProvider({
          url: e.SUPABASE_URL as string,
          anonKey: e.SUPABASE_ANON_KEY as string,
          serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY as string,
          ...(e.SUPABASE_JWT_SECRET ? { jwtSecret: e.SUPABASE_JWT_SECRET } : {}),
        })
      : new EmbeddedAuthProvider({
          pool,
          jwtSecret: e.FACET_JWT_SECRET as string,
          sessionTtlSeconds: e.FACET_SESSION_TTL_SECONDS,
          secureCookies: e.FACET_PUBLIC_URL.startsWith("https:"),
        });
  const store = await createBlobStore(
    e.FACET_STORAGE === "s3"
      ? {
          kind: "s3",
          bucket: e.S3_BUCKET as string,
          region: e.S3_REGION,
          ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
          forcePathStyle: e.S3_FORCE_PATH_STYLE === "true",
          accessKeyId: e.S3_ACCESS_KEY_ID as string,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY as string,
        }
      : {
          kind: "fs",
          // keys start with blobs/ (content addresses): objects live in <data>/blobs/sha256/ab/cd/<hash>
          root: path.resolve(e.FACET_DATA_DIR),
          baseUrl: e.FACET_PUBLIC_URL,
          secret: e.FACET_BLOB_URL_SECRET as string,
        },
  );
  return { pool, auth, store };
}
