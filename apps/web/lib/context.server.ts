import "server-only";
import { type AuthProvider, EmbeddedAuthProvider } from "@facet/auth";
import { createPool, type Pool } from "@facet/db";
import { type BlobStore, blobStoreConfigFromEnv, createBlobStore } from "@facet/storage";
import { env } from "./env.server";

interface Context {
  pool: Pool;
  auth: AuthProvider;
  store: BlobStore;
}

// One set of adapters per server process, chosen by configuration; survives hot reloads in dev.
// Shared by the routes and proxy.ts, which Next.js bundles apart: each has its own copy of our
// modules, so code that receives these adapters tells them apart by `kind`, never by `instanceof`
// (AppError is recognised across copies by a brand).
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
  const pool = createPool(e.DATABASE_URL, {
    max: e.FACET_DB_POOL_SIZE,
    applicationName: "facet-web",
    waitForDatabaseMs: e.FACET_DB_WAIT_MS,
  });
  const auth: AuthProvider =
    e.FACET_AUTH === "supabase"
      ? new (await import("@facet/auth/supabase")).SupabaseAuthProvider({
          url: e.SUPABASE_URL as string,
          anonKey: e.SUPABASE_ANON_KEY as string,
          serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY as string,
          ...(e.SUPABASE_JWT_SECRET ? { jwtSecret: e.SUPABASE_JWT_SECRET } : {}),
          pool,
        })
      : new EmbeddedAuthProvider({
          pool,
          jwtSecret: e.FACET_JWT_SECRET as string,
          sessionTtlSeconds: e.FACET_SESSION_TTL_SECONDS,
          accessTokenTtlSeconds: e.FACET_ACCESS_TOKEN_TTL_SECONDS,
          secureCookies: e.FACET_PUBLIC_URL.startsWith("https:"),
        });
  const store = await createBlobStore(blobStoreConfigFromEnv(e));
  return { pool, auth, store };
}

/**
 * How long the mesh and faces URLs a page hands the browser stay valid. Members: an hour. Guests of
 * a share link: two minutes, enough to load them at once (the browser keeps the bytes), so that a
 * revoked link stops giving access to its geometry within minutes too.
 */
export const GEOMETRY_URL_SECONDS = { member: 3600, guest: 120 } as const;

/** Short-lived GET URLs of a part's mesh and faces file (the browser keeps their bytes by content key). */
export async function geometryUrls(
  geometry: { meshKey: string; facesKey: string },
  audience: keyof typeof GEOMETRY_URL_SECONDS = "member",
): Promise<{
  meshUrl: string;
  facesUrl: string;
}> {
  const { store } = await context();
  const expiresInSeconds = GEOMETRY_URL_SECONDS[audience];
  const [mesh, faces] = await Promise.all([
    store.presignGet(geometry.meshKey, { expiresInSeconds }),
    store.presignGet(geometry.facesKey, { expiresInSeconds }),
  ]);
  return { meshUrl: mesh.url, facesUrl: faces.url };
}
