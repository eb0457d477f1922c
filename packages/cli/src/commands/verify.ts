import { createPool, type Pool } from "@facet/db";
import { embeddedDatabaseUrl, installationLayout, readSecrets } from "@facet/db/installation";
import {
  type BlobStore,
  type BlobStoreConfig,
  blobStoreConfigFromEnv,
  createBlobStore,
  missingStorageEnv,
  storageEnvShape,
} from "@facet/storage";
import { type ObjectDrift, recordVerification, type VerifyReport, verifyInstallation } from "@facet/workers/ops";
import { z } from "zod";
import { CliError } from "../http";
import { formatBytes, Progress } from "../progress";

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
  try {
    await pool.query("select 1");
  } catch (err) {
    await pool.end();
    const running = e.DATABASE_URL ? "" : " (is Facet running? npm start)";
    throw new CliError("UNAVAILABLE", `cannot reach the database of ${where}${running}: ${(err as Error).message}`);
  }
  return { pool, store: await createBlobStore(storeConfig), where };
}

/** `facet verify [--sample N]`: the installation check, with a progress bar on stderr; the run is recorded. */
export async function verify(
  env: NodeJS.ProcessEnv,
  opts: { sample: number | null; json: boolean },
  say: (line: string) => void,
): Promise<VerifyReport> {
  const inst = await openInstallation(env);
  try {
    say(`verifying ${inst.where}${opts.sample ? ` (a random sample of ${opts.sample} blobs and artefacts)` : ""}`);
    let bar: Progress | null = null;
    let phase = "";
    const report = await verifyInstallation({
      db: inst.pool,
      store: inst.store,
      ...(opts.sample ? { sample: opts.sample } : {}),
      onProgress: (p) => {
        if (p.phase !== phase) {
          bar?.done();
          phase = p.phase;
          bar = new Progress(p.phase.padEnd(9), p.total, process.stderr, !opts.json);
        }
        bar?.update(p.done, `${p.done}/${p.total}`);
      },
    });
    (bar as Progress | null)?.done();
    await recordVerification(inst.pool, report, "cli");
    return report;
  } finally {
    await inst.pool.end();
  }
}

const LINES = 50;

function driftLines(drifts: ObjectDrift[], count: number): string[] {
  const lines = drifts.slice(0, LINES).map((d) => {
    const kind = d.kind === "blob" ? "blob" : `${d.kind} of ${d.ownerId}`;
    const hashes = d.expectedSha256
      ? ` (expected sha256 ${d.expectedSha256}${d.actualSha256 ? `, actual ${d.actualSha256}` : ""})`
      : "";
    return `  ${d.problem.toUpperCase()} ${d.key} [${kind}]: ${d.detail}${hashes}`;
  });
  if (count > lines.length) lines.push(`  … and ${count - lines.length} more (--json lists up to 1000 of each)`);
  return lines;
}

/** The human summary: counts, then every drift named (the first 50 of each kind). */
export function describeVerification(r: VerifyReport): string {
  const b = r.blobs;
  const a = r.artefacts;
  const s = r.snapshots;
  const of = (checked: number, total: number) => (checked === total ? `${checked}` : `${checked} of ${total}`);
  const lines = [
    `blobs:      ${of(b.checked, b.total)} re-hashed (${formatBytes(b.bytes)}): ${b.mismatched} mismatched, ${b.missing} missing`,
    `artefacts:  ${of(a.checked, a.total)} read (${a.hashed} against a recorded hash, ${formatBytes(a.bytes)}): ${a.mismatched} mismatched, ${a.missing} missing`,
    `snapshots:  ${s.checked} checked (rows and manifest): ${s.drifted.length} drifted`,
    ...driftLines(b.drifts, b.mismatched + b.missing),
    ...driftLines(a.drifts, a.mismatched + a.missing),
    ...s.drifted.flatMap((d) => [
      `  SNAPSHOT ${d.name} (${d.snapshotId}, workspace ${d.workspaceId}):`,
      ...d.problems.slice(0, LINES).map((p) => `    ${p}`),
    ]),
    `${r.ok ? "no drift" : "DRIFT FOUND"} (${(r.durationMs / 1000).toFixed(1)} s${r.sample ? `, sample of ${r.sample}` : ""})`,
  ];
  return lines.join("\n");
}
