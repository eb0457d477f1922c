import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/**
 * Where an installation of the embedded default keeps things: one data folder holds the database,
 * the filesystem blob store (its keys are paths under the folder itself), the secrets and the logs.
 * The launcher lays it out; the operator commands (`facet backup`, `restore`, `gc`, `verify`) find
 * it the same way.
 */
export interface InstallationLayout {
  dataDir: string;
  /** The PostgreSQL data folder. */
  pgDir: string;
  logsDir: string;
  secretsFile: string;
  pidFile: string;
  /** The filesystem blob store's root (keys `blobs/…`, `derived/…`, `snapshots/…`, `exports/…`, `uploads/…`). */
  storeRoot: string;
}

/** The top-level folders of the blob store under the data folder, by what they hold. */
export const STORE_FOLDERS = {
  /** Content-addressed STEP files and derived artefacts, snapshot manifests and export archives. */
  durable: ["blobs", "derived", "snapshots", "exports"],
  /** Staging of uploads (deleted by housekeeping after a day) and the store's temporary files. */
  transient: ["uploads", ".tmp"],
} as const;

export function installationLayout(dataDir: string): InstallationLayout {
  const d = path.resolve(dataDir);
  return {
    dataDir: d,
    pgDir: path.join(d, "pg"),
    logsDir: path.join(d, "logs"),
    secretsFile: path.join(d, "secrets.json"),
    pidFile: path.join(d, "facet.pid"),
    storeRoot: d,
  };
}

const secretsSchema = z.object({
  jwtSecret: z.string().min(32),
  blobUrlSecret: z.string().min(32),
  pgPassword: z.string().min(16),
});
export type Secrets = z.infer<typeof secretsSchema>;

/** The installation's secrets, or null when it has none yet (never started). */
export async function readSecrets(dataDir: string): Promise<Secrets | null> {
  const file = installationLayout(dataDir).secretsFile;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  const r = secretsSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`${file} is damaged (${r.error.issues[0]?.message}); restore it from a backup`);
  return r.data;
}

/** Secrets of this installation, created on first start and kept in the data folder (mode 600). */
export async function loadOrCreateSecrets(dataDir: string): Promise<Secrets> {
  const file = installationLayout(dataDir).secretsFile;
  try {
    const found = await readSecrets(dataDir);
    if (found) return found;
  } catch (e) {
    throw new Error(`${file} is unreadable or damaged (${(e as Error).message}); restore it from a backup`);
  }
  const secrets: Secrets = {
    jwtSecret: randomBytes(48).toString("base64url"),
    blobUrlSecret: randomBytes(48).toString("base64url"),
    pgPassword: randomBytes(24).toString("base64url"),
  };
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  return secrets;
}

/** The connection URL of the embedded database (superuser `postgres` on localhost). */
export function embeddedDatabaseUrl(password: string, port: number, database = "facet"): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
