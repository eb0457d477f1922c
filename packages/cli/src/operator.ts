import path from "node:path";
import { createPool, databaseHealth, type Pool } from "@facet/db";
import { embeddedDatabaseUrl, installationLayout, readSecrets } from "@facet/db/installation";
import {
  type BlobStore,
  type BlobStoreConfig,
  blobStoreConfigFromEnv,
  createBlobStore,
  missingStorageEnv,
  storageEnvShape,
} from "@facet/storage";
import { z } from "zod";
import { CliError } from "./http";

/**
 * An operator command's view of the installation: the database and the blob store, from the same
 * variables the worker reads (DATABASE_URL and the storage variables), or, when DATABASE_URL is not
 * set, the embedded installation `npm start` runs (FACET_DATA_DIR, default ./.data; FACET_PG_PORT,
 * default 54329), found through its data folder's secrets.
 */
export interface Installation {
  pool: Pool;
  store: BlobStore;
  /** Where it is, in words (no password). */
  where: string;
}

/** `npm start`'s database port when FACET_PG_PORT is not set (apps/launcher/src/env.ts). */
const EMBEDDED_PG_PORT = 54329;

const operatorEnv = z
  .object({
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL").optional(),
    FACET_PG_PORT: z.coerce.number().int().min(1).max(65535).default(EMBEDDED_PG_PORT),
    ...storageEnvShape,
  })
  .superRefine((e, ctx) => {
    if (!e.DATABASE_URL) return; // the embedded installation: its secrets come from the data folder
    for (const k of missingStorageEnv(e))
      ctx.addIssue({ code: "custom", path: [k], message: `required with FACET_STORAGE=${e.FACET_STORAGE}` });
  });

export async function openInstallation(env: NodeJS.ProcessEnv): Promise<Installation> {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = operatorEnv.safeParse(given);
  if (!r.success)
    throw new CliError("NOT_CONFIGURED", r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const e = r.data;
  let databaseUrl: string;
  let storeConfig: BlobStoreConfig;
  let where: string;
  if (e.DATABASE_URL) {
    databaseUrl = e.DATABASE_URL;
    storeConfig = blobStoreConfigFromEnv(e);
    const u = new URL(e.DATABASE_URL);
    where = `database ${u.hostname}:${u.port || 5432}${u.pathname}, ${storeConfig.kind === "s3" ? `bucket ${storeConfig.bucket}` : `blobs in ${storeConfig.root}`}`;
  } else {
    const layout = installationLayout(e.FACET_DATA_DIR);
    const secrets = await readSecrets(layout.dataDir);
    if (!secrets)
      throw new CliError(
        "NOT_CONFIGURED",
        `no Facet installation in ${layout.dataDir} (no secrets.json): run this where npm start runs, set FACET_DATA_DIR, or set DATABASE_URL and the storage variables`,
      );
    databaseUrl = embeddedDatabaseUrl(secrets.pgPassword, e.FACET_PG_PORT);
    storeConfig = blobStoreConfigFromEnv({ ...e, FACET_STORAGE: "fs", FACET_BLOB_URL_SECRET: secrets.blobUrlSecret });
    where = `the installation in ${layout.dataDir} (database on 127.0.0.1:${e.FACET_PG_PORT})`;
  }
  const pool = createPool(databaseUrl, { max: 4, applicationName: "facet-cli-operator" });
  const reached = await databaseHealth(pool);
  if (!reached.ok) {
    await pool.end();
    const running = e.DATABASE_URL ? "" : " (is Facet running? npm start)";
    throw new CliError("UNAVAILABLE", `cannot reach the database of ${where}${running}: ${reached.detail}`);
  }
  return { pool, store: await createBlobStore(storeConfig), where };
}

/**
 * The embedded installation `facet backup` and `facet restore` work on (they copy its data folder,
 * so they need it on this machine): FACET_DATA_DIR (default ./.data) and FACET_PG_PORT (default 54329).
 */
export function embeddedInstallation(env: NodeJS.ProcessEnv): { dataDir: string; pgPort: number } {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = z
    .object({
      FACET_DATA_DIR: storageEnvShape.FACET_DATA_DIR,
      FACET_PG_PORT: z.coerce.number().int().min(1).max(65535).default(EMBEDDED_PG_PORT),
    })
    .safeParse(given);
  if (!r.success)
    throw new CliError("NOT_CONFIGURED", r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return { dataDir: path.resolve(r.data.FACET_DATA_DIR), pgPort: r.data.FACET_PG_PORT };
}
