import { execFile } from "node:child_process";
import { chmod, chown, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { holdStorageForBackup } from "./ops/gc";

/**
 * An online base backup of a PostgreSQL server on this machine, with the low-level API the
 * PostgreSQL documentation describes ("Making a Base Backup Using the Low Level API"): the
 * embedded build ships no pg_basebackup or pg_dump, and the client tools Debian offers (15) refuse
 * an 18 server. Consistent at the moment `pg_backup_stop` returns, while the server keeps running
 * and writing (see docs/notes/issue-19-research.md for what was measured).
 */

/** Folders whose contents are never copied (recreated empty), and files left out, per the documentation. */
const EMPTIED = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
]);
const LEFT_OUT = new Set([
  "postmaster.pid",
  "postmaster.opts",
  "backup_label",
  "backup_label.old",
  "tablespace_map",
  "backup_manifest",
  "current_logfiles",
  "postgresql.auto.conf.tmp",
]);

export interface BaseBackupResult {
  label: string;
  startLsn: string;
  stopLsn: string;
  files: number;
  bytes: number;
  walSegments: string[];
}

interface CopyStats {
  files: number;
  bytes: number;
}

async function copyDataFolder(src: string, dst: string, rel: string, stats: CopyStats): Promise<void> {
  await mkdir(path.join(dst, rel), { recursive: true, mode: 0o700 });
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(path.join(src, rel), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // dropped while copying: the WAL replays it
    throw e;
  }
  for (const e of entries) {
    const r = path.join(rel, e.name);
    if (rel === "" && LEFT_OUT.has(e.name)) continue;
    if (e.name.startsWith("pgsql_tmp") || e.name === "pg_internal.init") continue;
    if (e.isSymbolicLink())
      throw new Error(`the data folder holds a symbolic link (a tablespace or a moved pg_wal): ${r} is not supported`);
    if (e.isDirectory()) {
      if (rel === "" && EMPTIED.has(e.name)) {
        await mkdir(path.join(dst, r), { mode: 0o700 });
        if (e.name === "pg_wal")
          for (const sub of ["archive_status", "summaries"]) await mkdir(path.join(dst, r, sub), { mode: 0o700 });
        continue;
      }
      await copyDataFolder(src, dst, r, stats);
    } else if (e.isFile()) {
      try {
        await copyFile(path.join(src, r), path.join(dst, r));
        stats.files++;
        stats.bytes += (await stat(path.join(dst, r))).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  }
}

/** WAL segment names from `first` to `last` inclusive (same timeline), for segments of `segmentBytes`. */
export function walSegmentRange(first: string, last: string, segmentBytes: number): string[] {
  const perId = 0x1_0000_0000 / segmentBytes;
  const timeline = first.slice(0, 8);
  if (last.slice(0, 8) !== timeline) throw new Error(`the backup crossed a timeline (${first} … ${last})`);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");
  let hi = Number.parseInt(first.slice(8, 16), 16);
  let lo = Number.parseInt(first.slice(16), 16);
  const out: string[] = [];
  for (;;) {
    const name = `${timeline}${hex(hi)}${hex(lo)}`;
    out.push(name);
    if (name === last) return out;
    if (out.length > 1_000_000) throw new Error(`no WAL segment range from ${first} to ${last}`);
    if (++lo === perId) {
      lo = 0;
      hi++;
    }
  }
}

/**
 * Copy the server's data folder into `out` (created, must not exist or be empty) as a base backup:
 * a temporary replication slot holds the WAL the copy needs (a checkpoint during the copy would
 * otherwise remove it), the data folder is copied between `pg_backup_start` and `pg_backup_stop`,
 * `backup_label` is written, and the WAL from the start to the stop segment is copied. `afterStop`
 * runs before the backup's session ends (files written before their rows commit, such as
 * content-addressed blobs, are copied there).
 */
export async function baseBackup(opts: {
  /** A superuser connection string to the server's Facet database (gc's lock lives there). */
  url: string;
  /** The server's data folder, on this machine. */
  dataDir: string;
  out: string;
  label: string;
  afterStop?: () => Promise<void>;
  onProgress?: (message: string) => void;
}): Promise<BaseBackupResult> {
  const say = opts.onProgress ?? (() => {});
  const existing = await readdir(opts.out).catch(() => []);
  if (existing.length > 0) throw new Error(`${opts.out} is not empty`);
  await mkdir(opts.out, { recursive: true, mode: 0o700 });
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  try {
    const segmentBytes = Number(
      (await client.query<{ setting: string }>("select setting from pg_settings where name = 'wal_segment_size'"))
        .rows[0]?.setting,
    );
    // gc deletes no stored file until this session ends: blobs are copied after the stop point
    // (`afterStop`), and one that a row at that point names must still be there
    await holdStorageForBackup(client);
    await client.query("select pg_create_physical_replication_slot($1, true, true)", [
      `facet_backup_${process.pid}_${Date.now()}`,
    ]);
    const start = (
      await client.query<{ lsn: string; wal: string }>(
        "select lsn::text, pg_walfile_name(lsn) as wal from pg_backup_start($1, true) lsn",
        [opts.label],
      )
    ).rows[0] as { lsn: string; wal: string };
    say(`backup started at ${start.lsn}; copying the data folder`);
    const stats: CopyStats = { files: 0, bytes: 0 };
    await copyDataFolder(opts.dataDir, opts.out, "", stats);
    const stop = (
      await client.query<{ lsn: string; wal: string; labelfile: string; spcmapfile: string | null }>(
        "select lsn::text, pg_walfile_name(lsn) as wal, labelfile, spcmapfile from pg_backup_stop(true)",
      )
    ).rows[0] as { lsn: string; wal: string; labelfile: string; spcmapfile: string | null };
    await writeFile(path.join(opts.out, "backup_label"), stop.labelfile, { mode: 0o600 });
    if (stop.spcmapfile) await writeFile(path.join(opts.out, "tablespace_map"), stop.spcmapfile, { mode: 0o600 });
    const walSegments = walSegmentRange(start.wal, stop.wal, segmentBytes);
    say(`backup stopped at ${stop.lsn}; copying ${walSegments.length} WAL segment(s)`);
    for (const seg of walSegments) {
      try {
        await copyFile(path.join(opts.dataDir, "pg_wal", seg), path.join(opts.out, "pg_wal", seg));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT")
          throw new Error(`WAL segment ${seg} is gone: the backup cannot be made consistent`);
        throw e;
      }
    }
    await opts.afterStop?.();
    return { label: opts.label, startLsn: start.lsn, stopLsn: stop.lsn, walSegments, ...stats };
  } finally {
    // the session's end drops the temporary slot and ends a backup left in progress by a failure
    await client.end().catch(() => {});
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid, gid);
    else await chown(p, uid, gid);
  }
}

/** Copy a tree (files and folders only). */
async function copyTree(src: string, dst: string): Promise<void> {
  await mkdir(dst, { recursive: true, mode: 0o700 });
  for (const e of await readdir(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) await copyTree(s, d);
    else if (e.isFile()) await copyFile(s, d);
    else throw new Error(`not a file or folder: ${s}`);
  }
}

/**
 * Put a base backup in place as the data folder `dataDir` (which must not exist or be empty); the
 * server started on it recovers to the backup's stop point. Run as root, the files are given to the
 * `postgres` user the embedded server runs as.
 */
export async function restoreBaseBackup(from: string, dataDir: string): Promise<void> {
  await readFile(path.join(from, "backup_label")).catch(() => {
    throw new Error(`${from} holds no backup_label: not a base backup`);
  });
  const existing = await readdir(dataDir).catch(() => []);
  if (existing.length > 0) throw new Error(`${dataDir} is not empty: restore into an empty installation`);
  await rm(dataDir, { recursive: true, force: true });
  await copyTree(from, dataDir);
  await chmod(dataDir, 0o700);
  if (process.getuid?.() === 0) {
    const id = promisify(execFile);
    const uid = Number((await id("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await id("id", ["-g", "postgres"])).stdout.trim());
    await chownTree(dataDir, uid, gid);
  }
}

/** Where a server keeps its data and its version (a backup checks it copies the right folder). */
export async function serverDataDirectory(url: string): Promise<{ dataDir: string; version: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ dir: string; version: string }>(
      "select current_setting('data_directory') as dir, current_setting('server_version') as version",
    );
    const r = rows[0] as { dir: string; version: string };
    return { dataDir: r.dir, version: r.version };
  } finally {
    await client.end().catch(() => {});
  }
}
