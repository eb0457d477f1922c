import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createPool, recordOperationRun } from "@facet/db";
import { baseBackup, restoreBaseBackup, serverDataDirectory } from "@facet/db/base-backup";
import { embeddedDatabaseUrl, installationLayout, readSecrets, STORE_FOLDERS } from "@facet/db/installation";
import { isProcessAlive } from "@facet/db/process";
import { z } from "zod";
import { sha256File } from "../files";
import { CliError } from "../http";
import { formatBytes, Progress } from "../progress";

/**
 * `facet backup --out DIR` and `facet restore --from DIR`, for the embedded installation of
 * `npm start`: the database as an online base backup (PostgreSQL's low-level API; see
 * docs/decisions.md), the blob store's durable folders and the installation's secrets, consistent
 * at the database's stop point, with a manifest of every file's SHA-256. Facet keeps running while
 * it is taken; gc deletes nothing meanwhile. A restore checks every file against the manifest before
 * it writes anything, and writes only into an empty installation.
 */

export const BACKUP_FORMAT = "facet-backup/1";

const fileSchema = z.object({
  path: z
    .string()
    .min(1)
    .refine((p) => !path.isAbsolute(p) && !p.split("/").includes(".."), "a relative path inside the backup"),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  label: z.string(),
  postgres: z.object({ version: z.string(), startLsn: z.string(), stopLsn: z.string() }),
  /** Every file of the backup but this manifest: pg/… (the data folder), store/… (blobs), secrets.json. */
  files: z.array(fileSchema),
  totals: z.object({
    files: z.number().int(),
    bytes: z.number().int(),
    blobs: z.number().int(),
    databaseBytes: z.number().int(),
  }),
  /** Stored blobs whose bytes did not match their name when copied (copied as they were). */
  damagedBlobs: z.array(z.string()),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

export interface BackupOptions {
  dataDir: string;
  pgPort: number;
  out: string;
  json: boolean;
}

const MANIFEST = "manifest.json";
const BLOB_FILE = /^blobs\/sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/;

/** Files (relative paths, `/`-separated) under `dir`, skipping what `skip` names. */
async function walk(dir: string, skip: (rel: string) => boolean = () => false, rel = ""): Promise<string[]> {
  const out: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw e;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r)) continue;
    if (e.isDirectory()) out.push(...(await walk(dir, skip, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Copy a file, hashing the bytes as they pass; into a temporary name, renamed when complete. */
async function copyHashed(from: string, to: string): Promise<{ size: number; sha256: string }> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  const hash = createHash("sha256");
  let size = 0;
  const tmp = `${to}.partial`;
  await pipeline(
    createReadStream(from, { highWaterMark: 1 << 20 }),
    async function* (source) {
      for await (const chunk of source) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
        yield chunk;
      }
    },
    createWriteStream(tmp, { mode: 0o600 }),
  );
  await rename(tmp, to);
  return { size, sha256: hash.digest("hex") };
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw e;
  }
}

function bar(label: string, total: number, json: boolean) {
  return new Progress(label, total, process.stderr, !json);
}

/** `facet backup --out DIR`. */
export async function backup(o: BackupOptions, say: (line: string) => void): Promise<BackupManifest> {
  const layout = installationLayout(o.dataDir);
  const secrets = await readSecrets(layout.dataDir);
  if (!secrets)
    throw new CliError(
      "NOT_CONFIGURED",
      `no Facet installation in ${layout.dataDir} (no secrets.json): run this where npm start runs, or set FACET_DATA_DIR`,
    );
  const out = path.resolve(o.out);
  if (!(await isEmptyDir(out))) throw new CliError("USAGE", `${out} is not empty: back up into a new folder`);
  if (out.startsWith(`${layout.dataDir}${path.sep}`))
    throw new CliError("USAGE", "the backup folder must not be inside the installation's data folder");
  const url = embeddedDatabaseUrl(secrets.pgPassword, o.pgPort);

  // the database must be this installation's (the backup copies its data folder)
  let server: { dataDir: string; version: string };
  try {
    server = await serverDataDirectory(url);
  } catch (e) {
    throw new CliError(
      "UNAVAILABLE",
      `cannot reach the database of ${layout.dataDir} on port ${o.pgPort} (is Facet running? npm start): ${(e as Error).message}`,
    );
  }
  if (path.resolve(server.dataDir) !== layout.pgDir)
    throw new CliError(
      "NOT_CONFIGURED",
      `the database on port ${o.pgPort} keeps its data in ${server.dataDir}, not in ${layout.pgDir}: set FACET_DATA_DIR and FACET_PG_PORT to one installation`,
    );
  const version = server.version;

  const files: BackupManifest["files"] = [];
  const damagedBlobs: string[] = [];
  let blobs = 0;
  const label = `facet backup ${new Date().toISOString()}`;
  say(`backing up ${layout.dataDir} into ${out}`);
  try {
    const result = await baseBackup({
      url,
      dataDir: layout.pgDir,
      out: path.join(out, "pg"),
      label,
      onProgress: say,
      // after the stop point, gc held off: every blob a row names is there; more is harmless
      afterStop: async () => {
        const skipTransient = (rel: string) => rel.endsWith(".partial");
        const stored: string[] = [];
        for (const folder of STORE_FOLDERS.durable)
          for (const rel of await walk(path.join(layout.storeRoot, folder), skipTransient))
            stored.push(`${folder}/${rel}`);
        const progress = bar("copying files", stored.length, o.json);
        let done = 0;
        let bytes = 0;
        for (const rel of stored) {
          let copied: { size: number; sha256: string };
          try {
            copied = await copyHashed(path.join(layout.storeRoot, rel), path.join(out, "store", rel));
          } catch (e) {
            // deleted since listed (an upload staged and moved, a temporary file): not needed
            if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
            throw e;
          }
          files.push({ path: `store/${rel}`, ...copied });
          const blob = BLOB_FILE.exec(rel);
          if (blob) {
            blobs++;
            if (blob[1] !== copied.sha256) damagedBlobs.push(blob[1] as string);
          }
          bytes += copied.size;
          progress.update(++done, `${done}/${stored.length} files, ${formatBytes(bytes)}`);
        }
        progress.done();
        const s = await copyHashed(layout.secretsFile, path.join(out, "secrets.json"));
        files.push({ path: "secrets.json", ...s });
      },
    });
    // the database's files, hashed as they lie in the backup
    const pgFiles = await walk(path.join(out, "pg"));
    const progress = bar("hashing the database copy", pgFiles.length, o.json);
    let databaseBytes = 0;
    let done = 0;
    for (const rel of pgFiles) {
      const p = path.join(out, "pg", rel);
      const sha256 = await sha256File(p);
      const size = (await stat(p)).size;
      databaseBytes += size;
      files.push({ path: `pg/${rel}`, size, sha256 });
      progress.update(++done, `${done}/${pgFiles.length}`);
    }
    progress.done();
    files.sort((a, b) => (a.path < b.path ? -1 : 1));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      label,
      postgres: { version, startLsn: result.startLsn, stopLsn: result.stopLsn },
      files,
      totals: {
        files: files.length,
        bytes: files.reduce((a, f) => a + f.size, 0),
        blobs,
        databaseBytes,
      },
      damagedBlobs,
    };
    // written last: a folder without it is an unfinished backup
    await writeFile(path.join(out, `${MANIFEST}.partial`), `${JSON.stringify(manifest, null, 1)}\n`, { mode: 0o600 });
    await rename(path.join(out, `${MANIFEST}.partial`), path.join(out, MANIFEST));
    await record(url, true, { files: manifest.totals.files, bytes: manifest.totals.bytes, blobs });
    return manifest;
  } catch (e) {
    await rm(out, { recursive: true, force: true }).catch(() => {});
    await record(url, false, { error: (e as Error).message.slice(0, 500) }).catch(() => {});
    throw e;
  }
}

/** The run, for the Admin page (when the last backup was taken, and whether it worked). */
async function record(url: string, ok: boolean, summary: Record<string, unknown>): Promise<void> {
  const pool = createPool(url, { max: 1, applicationName: "facet-backup" });
  try {
    await recordOperationRun(pool, { kind: "backup", ok, summary });
  } finally {
    await pool.end();
  }
}

export function describeBackup(m: BackupManifest, out: string): string {
  const lines = [
    `backed up into ${path.resolve(out)}: ${m.totals.files} files, ${formatBytes(m.totals.bytes)}`,
    `  database ${formatBytes(m.totals.databaseBytes)} (PostgreSQL ${m.postgres.version}, consistent at ${m.postgres.stopLsn})`,
    `  ${m.totals.blobs} stored STEP files with their derived files, manifests and exports; the installation's secrets`,
    `  manifest.json lists every file's SHA-256; restore with: facet restore --from ${path.resolve(out)}`,
  ];
  if (m.damagedBlobs.length > 0)
    lines.push(
      `WARNING: ${m.damagedBlobs.length} stored file(s) did not match their hash (copied as they were; run facet verify): ${m.damagedBlobs.slice(0, 5).join(", ")}`,
    );
  return lines.join("\n");
}

export interface RestoreResult {
  from: string;
  dataDir: string;
  files: number;
  bytes: number;
  stopLsn: string;
}

/** `facet restore --from DIR` into the (empty) installation in `dataDir`. */
export async function restore(
  o: { from: string; dataDir: string; json: boolean },
  say: (line: string) => void,
): Promise<RestoreResult> {
  const from = path.resolve(o.from);
  let manifest: BackupManifest;
  try {
    manifest = backupManifestSchema.parse(JSON.parse(await readFile(path.join(from, MANIFEST), "utf8")));
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === "ENOENT"
        ? "it has no manifest.json (not a Facet backup, or an unfinished one)"
        : `its manifest.json is not a ${BACKUP_FORMAT} manifest (${(e as Error).message.slice(0, 300)})`;
    throw new CliError("INVALID_BACKUP", `cannot restore from ${from}: ${why}`);
  }
  const layout = installationLayout(o.dataDir);
  // only into an empty installation, with nothing running there
  const pid = await readFile(layout.pidFile, "utf8").then(
    (t) => Number((JSON.parse(t) as { pid?: number }).pid),
    () => null,
  );
  if (pid && isProcessAlive(pid))
    throw new CliError(
      "CONFLICT",
      `Facet is running in ${layout.dataDir} (pid ${pid}): stop it and restore into an empty folder`,
    );
  const occupied: string[] = [];
  if (!(await isEmptyDir(layout.pgDir))) occupied.push("pg/");
  if (await stat(layout.secretsFile).catch(() => null)) occupied.push("secrets.json");
  for (const f of STORE_FOLDERS.durable)
    if (!(await isEmptyDir(path.join(layout.storeRoot, f)))) occupied.push(`${f}/`);
  if (occupied.length > 0)
    throw new CliError(
      "CONFLICT",
      `${layout.dataDir} is not an empty installation (it has ${occupied.join(", ")}): restore into a new FACET_DATA_DIR, or move this one away first`,
    );

  // every file checked against the manifest before anything is written
  const progress = bar("checking the backup", manifest.files.length, o.json);
  const bad: string[] = [];
  let done = 0;
  for (const f of manifest.files) {
    const p = path.join(from, f.path);
    const s = await stat(p).catch(() => null);
    if (!s) bad.push(`${f.path}: missing`);
    else if (s.size !== f.size) bad.push(`${f.path}: ${s.size} bytes, ${f.size} in the manifest`);
    else if ((await sha256File(p)) !== f.sha256) bad.push(`${f.path}: its SHA-256 differs from the manifest's`);
    progress.update(++done, `${done}/${manifest.files.length}`);
  }
  progress.done();
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const rel of await walk(path.join(from, "pg")))
    if (!listed.has(`pg/${rel}`)) bad.push(`pg/${rel}: not in the manifest`);
  if (bad.length > 0)
    throw new CliError(
      "INVALID_BACKUP",
      `the backup in ${from} is damaged; nothing was restored:\n  ${bad.slice(0, 20).join("\n  ")}${bad.length > 20 ? `\n  … and ${bad.length - 20} more` : ""}`,
    );

  say(`restoring into ${layout.dataDir}`);
  const written: string[] = [];
  try {
    await mkdir(layout.dataDir, { recursive: true, mode: 0o700 });
    written.push(layout.pgDir);
    await restoreBaseBackup(path.join(from, "pg"), layout.pgDir);
    const stored = manifest.files.filter((f) => f.path.startsWith("store/"));
    for (const folder of STORE_FOLDERS.durable) written.push(path.join(layout.storeRoot, folder));
    const copying = bar("copying files", stored.length, o.json);
    let n = 0;
    for (const f of stored) {
      await mkdir(path.dirname(path.join(layout.storeRoot, f.path.slice("store/".length))), { recursive: true });
      await copyFile(path.join(from, f.path), path.join(layout.storeRoot, f.path.slice("store/".length)));
      copying.update(++n, `${n}/${stored.length}`);
    }
    copying.done();
    written.push(layout.secretsFile);
    await copyFile(path.join(from, "secrets.json"), layout.secretsFile);
    await chmod(layout.secretsFile, 0o600);
  } catch (e) {
    for (const p of written) await rm(p, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
  return {
    from,
    dataDir: layout.dataDir,
    files: manifest.totals.files,
    bytes: manifest.totals.bytes,
    stopLsn: manifest.postgres.stopLsn,
  };
}

export function describeRestore(r: RestoreResult): string {
  return [
    `restored ${r.files} files (${formatBytes(r.bytes)}) from ${r.from} into ${r.dataDir}`,
    `  the database recovers to ${r.stopLsn} when it starts: start Facet (npm start, with FACET_DATA_DIR=${r.dataDir}),`,
    "  then check every stored file and snapshot with: facet verify",
  ].join("\n");
}
