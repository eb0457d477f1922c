import path from "node:path";
import { parseArgs } from "node:util";
import { isAppError } from "@facet/core";
import { backup, describeBackup, describeRestore, restore } from "./commands/backup";
import { describeEvaluation, EVAL_FORMATS, type EvalFormat, evalPrelabel } from "./commands/eval-prelabel";
import { describeExport, EXPORT_FORMATS, type ExportFormat, exportSnapshot } from "./commands/export";
import { describeGc, gc } from "./commands/gc";
import { importLabels, LABEL_FORMATS, type LabelFormat } from "./commands/import-labels";
import { describePrediction, predict } from "./commands/predict";
import { describePull, pull } from "./commands/pull";
import { describePush, push } from "./commands/push";
import { describeQuery, queryCatalog } from "./commands/query";
import {
  createSnapshot,
  describeDiff,
  describeSnapshot,
  describeSnapshots,
  describeVerify,
  diffSnapshots,
  listSnapshots,
  verifySnapshot,
} from "./commands/snapshot";
import { describeVerification, verify } from "./commands/verify";
import { forgetLogin, loadLogin, saveLogin } from "./config";
import { parseCliEnv } from "./env";
import { type Api, CliError, createApi } from "./http";
import { embeddedInstallation } from "./operator";
import { ask } from "./prompt";

const HELP = `facet — Facet from the terminal

  facet login [--url URL] [--email E] [--password P]   store a personal API key (asks when flags are absent)
  facet logout                                          revoke it and forget it
  facet push DIR --dataset NAME [--workspace W] [--concurrency N] [--json]
                                                        upload the STEP files under DIR (skips known content)
  facet status --dataset NAME [--workspace W] [--json]  part counts by status
  facet reprocess --dataset NAME [--tessellator-version V] [--workspace W] [--json]
                                                        tessellate again parts made by an older (or the named) tessellator
  facet import-labels --format mfcad|step DIR --dataset NAME [--workspace W] [--json]
                                                        store labels as annotation revisions: MFCAD .face_truth
                                                        files, or STEP files whose faces are named by MFCAD++
                                                        class (as MFCAD++ ships them; push the files first)
  facet eval-prelabel --format mfcad DIR [--json]      score the built-in pre-labeler on labelled MFCAD parts
                                                        (no server: per-face accuracy, per-class scores, confusion)
  facet eval-prelabel --learn [--folds K | --train-on DIR_A] [--seed N] --format mfcad|fusion360-seg|mfinstseg DIR [--json]
                                                        the learned pre-labeler alone: K-fold cross-validation by
                                                        part (default 5), or trained on DIR_A and tested on DIR
  facet predict FILE.step [--dataset D] [--model VERSION] [--workspace W] [--json]
                                                        per-face labels of a STEP file by the dataset's learned
                                                        pre-labeler (the model in use, or the named version)
  facet query --dataset NAME [--filter Q] [--limit N | --all] [--workspace W] [--json]
                                                        the catalog's parts for a filter (name, status, split, faces,
                                                        features with instance counts, tags) and how many match;
                                                        --json: one JSON line per part
  facet snapshot create NAME --dataset D [--status S[,S…]] [--filter Q] [--description T] [--json]
                                                        freeze the dataset's labelled parts (of these statuses, or
                                                        the catalog filter's) at their latest revision
  facet snapshot list [--dataset D] [--json]
  facet snapshot verify NAME [--deep] [--json]         database, manifest and stored files agree? (--deep reads
                                                        every file back); exit code 1 when anything drifted
  facet snapshot diff A B [--json]                      parts added, removed, relabelled, re-split; faces per class
  facet export --snapshot NAME --format parquet|jsonl|mfcad|mfinstseg|step [--meshes] --out DIR [--json]
                                                        export (made once, then served from the cache), download
                                                        (hash checked) and unpack into DIR
  facet pull --snapshot NAME [--split S] --out DIR [--concurrency N] [--json]
                                                        DIR/<split>/<sha256>.step and .labels.json, DIR/manifest.json;
                                                        every hash checked, resumes, skips what is already there
  facet verify [--sample N] [--json]                   OPERATOR, on the machine running Facet: re-hash every stored
                                                        file and derived artefact, check every snapshot; exit code 1
                                                        on any drift (reads DATABASE_URL and the storage variables,
                                                        else the installation in FACET_DATA_DIR, default ./.data)
  facet backup --out DIR [--json]                      OPERATOR: database, stored files and secrets of the running
                                                        installation, consistent at one point, with a manifest of hashes
  facet restore --from DIR [--json]                     OPERATOR: put a backup into an empty installation (checked first)
  facet gc [--dry-run] [--json]                        OPERATOR: list (--dry-run) or delete stored files nothing refers
                                                        to any more (blobs of discarded parts, stray derived files,
                                                        gone snapshots' manifests and exports), older than a day
  facet api-key create --name N --scope S [--scope S…] [--workspace W] [--expires-days D] [--json]
  facet api-key list [--json]
  facet api-key revoke ID

Filters (--filter) use the catalog page's query string: status=approved,in_review&has=blind_hole&count=blind_hole>=2
&faces=10..200&surface=cylinder&tag=x&split=train,none&annotator=<user id>&added=2026-01-01..&changed=..2026-12-31&q=name&sort=-added

Configuration: FACET_URL and FACET_API_KEY, or what \`facet login\` stored (${"$"}XDG_CONFIG_HOME/facet).
FACET_WORKSPACE names the workspace when you belong to several. Scopes: read, ingest, label, review, curate, admin.`;

/** `facet <command> --help`: the curation commands say more than the overview. */
const COMMAND_HELP: Record<string, string> = {
  verify: `facet verify [--sample N] [--json]

  For the operator, on the machine (or with the credentials) of the installation: no API key. Reads
  every blob the database knows and re-hashes it (streamed), checking its SHA-256 and size; reads every
  derived artefact (each part's mesh, faces file and thumbnail: part_geometry records no hash of them,
  so each is compared with the SHA-256 the store recorded when it was written, and a faces file must
  parse and match its face count and signature; export archives against their recorded hash and size);
  checks every snapshot of every workspace (its pinned rows against the frozen checksum, the manifest
  in storage against the database part by part). --sample N reads at most N random blobs and N random
  artefacts (snapshots are always all checked). Names each drift (key, expected and actual hash),
  records the run (the Admin page and /api/health show the last one; a weekly job runs it too) and
  exits 1 when anything drifted, 0 otherwise. --json prints the whole report.

  Configuration: DATABASE_URL with FACET_STORAGE and its variables (as the worker reads them), or,
  without DATABASE_URL, the embedded installation of npm start: FACET_DATA_DIR (default ./.data)
  and FACET_PG_PORT (default 54329); it must be running.`,
  backup: `facet backup --out DIR [--json]

  For the operator, on the machine running Facet (npm start's embedded installation: FACET_DATA_DIR,
  default ./.data; FACET_PG_PORT, default 54329). Facet keeps running. Copies the database as an
  online base backup (PostgreSQL's pg_backup_start/pg_backup_stop, with the WAL that makes the copy
  consistent), then the stored files (STEP files, derived meshes and thumbnails, snapshot manifests,
  export archives) and the installation's secrets; gc deletes nothing meanwhile. The backup is
  consistent at the database's stop point: every file a row names is in it. DIR/manifest.json lists
  every file with its size and SHA-256 (written last: a folder without it is unfinished).`,
  restore: `facet restore --from DIR [--json]

  Puts a backup into an empty installation (FACET_DATA_DIR must have no database, files or secrets;
  Facet must not be running there). Every file is checked against the backup's manifest first: a
  damaged backup restores nothing. Then start Facet (npm start) — the database recovers to the
  backup's point — and run facet verify: every stored file's hash and every snapshot is checked.`,
  gc: `facet gc [--dry-run] [--json]

  For the operator, configured as facet verify (no API key). Walks the blob store and lists what no
  part, annotation revision, snapshot, export or live job refers to: the STEP files of discarded parts
  (with everything derived from them), derived files no geometry names (a tessellation that failed),
  manifests of deleted snapshots and archives of deleted exports. Anything younger than 24 hours is
  left alone. Prints each with its size and the totals; without --dry-run deletes them, each blob
  under a database lock that an upload of the same bytes waits on (the upload then stores them again,
  or gc sees its part and keeps the file). While facet backup runs, gc deletes nothing.`,
  query: `facet query --dataset NAME [--filter Q] [--limit N | --all] [--workspace W] [--json]

  Lists the catalog's parts of a dataset that match a filter, newest first unless the filter sorts:
  name, status, split, face count, feature classes (with instance counts: blind_hole×2) and tags, then
  how many parts match in all. Pages through the catalog 500 rows at a time up to --limit (default 50);
  --all fetches every match. --json prints one JSON object per line (the API's catalog row) and the
  count on stderr.

  --filter takes the catalog page's query string, for example
    --filter "status=approved&has=blind_hole&count=blind_hole>=2&faces=10..200&split=train,none&q=bracket"
  (status, has, count, faces, surface, tag, split, annotator, added, changed, q, sort); an unknown
  parameter is refused.`,
  predict: `facet predict FILE.step [--dataset D] [--model VERSION] [--workspace W] [--json]

  Sends the STEP file to the server, which tessellates it and runs a learned pre-labeler of the
  dataset (--dataset: its name or id; needed when the workspace has several datasets with models):
  the version in use, or --model VERSION (as the quality page names it, e.g. v3-1a2b3c4d). Prints
  each face's label and confidence (and the face's STEP name), the feature instances, and which model
  version answered; --json prints the API's answer. Needs an API key with the read scope.`,
  "eval-prelabel": `facet eval-prelabel --format mfcad DIR [--json]
facet eval-prelabel --learn [--folds K | --train-on DIR_A] [--seed N] --format mfcad|fusion360-seg|mfinstseg DIR [--json]

  Scores a pre-labeler on a folder of labelled parts, without a server: each STEP file is tessellated
  as the worker does and every face's prediction compared with its label. Prints per-face accuracy,
  per-class precision/recall/IoU, the confusion matrix, the parts with wrong faces and the time spent.
  A part that cannot be read is named with the reason (exit code 1), the others are still scored.

  Formats: mfcad (<name>.step with <name>.face_truth), fusion360-seg (Fusion 360 Gallery segmentation:
  <name>.stp with <name>.seg, one class index per face), mfinstseg (AAGNet: steps/<name>.step with
  labels/<name>.json, or both side by side).

  Without --learn: the built-in rules (they know MFCAD's classes only). With --learn: the learned
  pre-labeler alone, rules off: K-fold cross-validation by part (--folds, default 5), or trained on
  the parts of DIR_A and tested on those of DIR (--train-on). --seed N (default 0): the same data and
  seed give the same model and figures.`,
  snapshot: `facet snapshot create NAME --dataset D [--status S[,S…]] [--filter Q] [--description T] [--json]
facet snapshot list [--dataset D] [--json]
facet snapshot verify NAME [--deep] [--json]
facet snapshot diff A B [--json]

  create   freezes the dataset's parts that have a label revision (all of them, those of the given
           statuses, or those the catalog filter selects) at their latest revision: blob hash,
           revision, face numbering, label schema version and split are pinned for good. Prints
           the part and face counts, the parts per split and the checksum.
  list     the workspace's snapshots (of one dataset with --dataset).
  verify   recomputes the database's checksum from the pinned revisions, compares the manifest in
           storage with the database part by part and looks up every STEP file (--deep reads each
           one back and hashes it). Names every drift; exit code 1 when anything disagrees.
  diff     parts added, removed, relabelled and re-split from A to B, and the faces each class gained
           and lost.`,
  export: `facet export --snapshot NAME --format parquet|jsonl|mfcad|mfinstseg|step [--meshes] --out DIR [--json]

  Asks for an export of a snapshot (made once per snapshot, format and --meshes by a job, then served
  from the cache), follows the job with a progress bar, downloads the zip archive (its SHA-256 checked
  against the export's) and unpacks it into DIR. Archive entries with an absolute path or '..' are
  refused before anything is written.`,
  pull: `facet pull --snapshot NAME [--split S] --out DIR [--concurrency N] [--json]

  Writes the snapshot's STEP files as DIR/<split>/<sha256>.step (parts without a split: unsplit/), the
  pinned annotation document of each as DIR/<split>/<sha256>.labels.json (with part id, name and
  revision) and the manifest as DIR/manifest.json. Every file is hashed while it downloads (temporary
  name, renamed when the hash is right); files already there with the right hash are not downloaded
  again, so an interrupted pull resumes and a second one transfers nothing. A file whose bytes do not
  match its hash is refused, named, and the exit code is 1 once the others are done. Downloads N files
  at once (default 8).`,
};

const FLAGS = {
  url: { type: "string" },
  email: { type: "string" },
  password: { type: "string" },
  dataset: { type: "string" },
  workspace: { type: "string" },
  concurrency: { type: "string" },
  json: { type: "boolean", default: false },
  name: { type: "string" },
  scope: { type: "string", multiple: true },
  "expires-days": { type: "string" },
  format: { type: "string" },
  "tessellator-version": { type: "string" },
  filter: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean", default: false },
  status: { type: "string" },
  description: { type: "string" },
  deep: { type: "boolean", default: false },
  snapshot: { type: "string" },
  meshes: { type: "boolean", default: false },
  out: { type: "string" },
  split: { type: "string" },
  sample: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  from: { type: "string" },
  model: { type: "string" },
  learn: { type: "boolean", default: false },
  folds: { type: "string" },
  "train-on": { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

function intFlag(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError("USAGE", `--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

async function connect(
  env: ReturnType<typeof parseCliEnv>,
  urlFlag?: string,
): Promise<{ api: Api; auth: Record<string, string> }> {
  const stored = await loadLogin(env.configDir);
  const key = env.FACET_API_KEY ?? stored?.key ?? null;
  const url = urlFlag ?? env.FACET_URL ?? stored?.url;
  if (!url) throw new CliError("NOT_CONFIGURED", "set FACET_URL (and FACET_API_KEY), or run facet login --url URL");
  if (!key) throw new CliError("NOT_CONFIGURED", "not logged in: run facet login, or set FACET_API_KEY");
  return { api: createApi(url, key), auth: { authorization: `Bearer ${key}` } };
}

async function resolveWorkspace(api: Api, flag: string | undefined, fromEnv: string | undefined): Promise<string> {
  if (flag ?? fromEnv) return (flag ?? fromEnv) as string;
  const { workspaces } = await api.call<{ workspaces: Array<{ slug: string }> }>("GET", "/api/workspaces");
  if (workspaces.length === 1) return (workspaces[0] as { slug: string }).slug;
  if (workspaces.length === 0) throw new CliError("NOT_A_MEMBER", "this account belongs to no workspace");
  throw new CliError(
    "USAGE",
    `you belong to several workspaces (${workspaces.map((w) => w.slug).join(", ")}): pass --workspace`,
  );
}

async function ensureDataset(api: Api, workspace: string, name: string, say: (m: string) => void): Promise<void> {
  const { datasets } = await api.call<{ datasets: Array<{ name: string }> }>(
    "GET",
    `/api/workspaces/${encodeURIComponent(workspace)}/datasets`,
  );
  if (datasets.some((d) => d.name === name)) return;
  await api.call("POST", `/api/workspaces/${encodeURIComponent(workspace)}/datasets`, { name });
  say(`created the dataset "${name}" in ${workspace}`);
}

export async function run(argv: string[]): Promise<number> {
  let json = argv.includes("--json");
  const out = (data: unknown, text: string) => process.stdout.write(`${json ? JSON.stringify(data) : text}\n`);
  const say = (m: string) => {
    if (!json) process.stderr.write(`${m}\n`);
  };
  try {
    const { values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
    json = values.json;
    const [command, sub, ...rest] = positionals;
    if (values.help && command && COMMAND_HELP[command]) {
      process.stdout.write(`${COMMAND_HELP[command]}\n`);
      return 0;
    }
    if (values.help || !command || command === "help") {
      process.stdout.write(`${HELP}\n`);
      return command || values.help ? 0 : 2;
    }
    const env = parseCliEnv(process.env);

    if (command === "login") {
      const url = values.url ?? env.FACET_URL ?? (await ask("Facet URL: "));
      const email = values.email ?? (await ask("Email: "));
      const password = values.password ?? (await ask("Password: ", true));
      const r = await createApi(url, null).call<{ key: string; user: { email: string } }>("POST", "/api/auth/token", {
        email,
        password,
        name: `facet CLI on ${process.env.HOSTNAME ?? "this machine"}`,
      });
      const file = await saveLogin(env.configDir, { url, key: r.key, email: r.user.email });
      out({ url, email: r.user.email, config: file }, `logged in to ${url} as ${r.user.email} (key stored in ${file})`);
      return 0;
    }
    if (command === "logout") {
      const stored = await loadLogin(env.configDir);
      if (stored) {
        await createApi(stored.url, stored.key)
          .call("DELETE", "/api/api-keys/current")
          .catch((e: CliError) => say(`the server did not revoke the key: ${e.message}`));
      }
      await forgetLogin(env.configDir);
      out({ loggedOut: true }, "logged out");
      return 0;
    }

    if (command === "eval-prelabel") {
      const format = values.format as EvalFormat;
      if (!EVAL_FORMATS.includes(format))
        throw new CliError("USAGE", `--format must be one of ${EVAL_FORMATS.join(", ")}`);
      if (!sub || rest.length > 0)
        throw new CliError(
          "USAGE",
          `usage: facet eval-prelabel [--learn [--folds K | --train-on DIR_A] [--seed N]] --format ${EVAL_FORMATS.join("|")} DIR [--json]`,
        );
      if (!values.learn && (values.folds ?? values["train-on"] ?? values.seed) !== undefined)
        throw new CliError("USAGE", "--folds, --train-on and --seed go with --learn");
      if (values.folds !== undefined && values["train-on"] !== undefined)
        throw new CliError("USAGE", "--folds and --train-on exclude each other: cross-validate, or train on DIR_A");
      const learn = values.learn
        ? {
            folds: intFlag(values.folds, "folds", 2, 100, 5),
            trainOn: values["train-on"] === undefined ? null : path.resolve(values["train-on"]),
            seed: intFlag(values.seed, "seed", 0, 2 ** 31 - 1, 0),
          }
        : null;
      const result = await evalPrelabel({ format, dir: path.resolve(sub), json, learn });
      out(result, describeEvaluation(result));
      return result.crashed > 0 ? 1 : 0;
    }

    if (command === "backup" || command === "restore") {
      const install = embeddedInstallation(process.env);
      if (command === "backup") {
        if (sub || !values.out) throw new CliError("USAGE", "usage: facet backup --out DIR [--json]");
        const manifest = await backup({ ...install, out: values.out, json }, say);
        out({ out: path.resolve(values.out), ...manifest, files: undefined }, describeBackup(manifest, values.out));
        return 0;
      }
      if (sub || !values.from) throw new CliError("USAGE", "usage: facet restore --from DIR [--json]");
      const restored = await restore({ from: values.from, dataDir: install.dataDir, json }, say);
      out(restored, describeRestore(restored));
      return 0;
    }

    if (command === "gc") {
      if (sub) throw new CliError("USAGE", "usage: facet gc [--dry-run] [--json]");
      const report = await gc(process.env, { dryRun: values["dry-run"], json }, say);
      out(report, describeGc(report));
      return 0;
    }

    if (command === "verify") {
      if (sub) throw new CliError("USAGE", "usage: facet verify [--sample N] [--json]");
      const sample = values.sample === undefined ? null : intFlag(values.sample, "sample", 1, 1_000_000_000, 1);
      const report = await verify(process.env, { sample, json }, say);
      out(report, describeVerification(report));
      return report.ok ? 0 : 1;
    }

    const { api, auth } = await connect(env, values.url);
    if (command === "push") {
      const dir = sub;
      if (!dir || rest.length > 0) throw new CliError("USAGE", "usage: facet push DIR --dataset NAME");
      if (!values.dataset) throw new CliError("USAGE", "--dataset NAME is required");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      await ensureDataset(api, workspace, values.dataset, say);
      const summary = await push(api, {
        dir: path.resolve(dir),
        workspace,
        dataset: values.dataset,
        concurrency: intFlag(values.concurrency, "concurrency", 1, 64, 6),
        json,
      });
      out(summary, describePush(summary));
      return summary.failed > 0 ? 1 : 0;
    }
    if (command === "status") {
      if (!values.dataset) throw new CliError("USAGE", "--dataset NAME is required");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const r = await api.call<{ dataset: { name: string }; counts: Record<string, number>; total: number }>(
        "GET",
        `/api/workspaces/${encodeURIComponent(workspace)}/datasets/${encodeURIComponent(values.dataset)}/status`,
      );
      const table = Object.entries(r.counts)
        .map(([s, n]) => `  ${s.padEnd(12)} ${n}`)
        .join("\n");
      out(
        { workspace, dataset: r.dataset.name, total: r.total, counts: r.counts },
        `${r.dataset.name}: ${r.total} part(s)\n${table}`,
      );
      return 0;
    }
    if (command === "reprocess") {
      if (!values.dataset) throw new CliError("USAGE", "--dataset NAME is required");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const r = await api.call<{ queued: number; tessellator: string }>(
        "POST",
        `/api/workspaces/${encodeURIComponent(workspace)}/datasets/${encodeURIComponent(values.dataset)}/reprocess`,
        values["tessellator-version"] ? { tessellatorVersion: values["tessellator-version"] } : {},
      );
      out(r, `queued ${r.queued} part(s) for tessellation with ${r.tessellator}`);
      return 0;
    }
    if (command === "import-labels") {
      const format = values.format as LabelFormat;
      if (!LABEL_FORMATS.includes(format))
        throw new CliError("USAGE", `--format is one of ${LABEL_FORMATS.join(", ")}`);
      if (!sub || rest.length > 0 || !values.dataset)
        throw new CliError("USAGE", "usage: facet import-labels --format mfcad|step DIR --dataset NAME");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const summary = await importLabels(api, {
        format,
        dir: path.resolve(sub),
        workspace,
        dataset: values.dataset,
        json,
      });
      out(
        summary,
        [
          `${summary.imported} of ${summary.files} label file(s) imported, ${summary.failed} failed`,
          ...summary.failures.slice(0, 20).map((f) => `  ✗ ${f.file}: ${f.message}`),
        ].join("\n"),
      );
      return summary.failed > 0 ? 1 : 0;
    }
    if (command === "predict") {
      if (!sub || rest.length > 0)
        throw new CliError("USAGE", "usage: facet predict FILE.step [--dataset D] [--model VERSION] [--json]");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const p = await predict(api, {
        workspace,
        file: path.resolve(sub),
        dataset: values.dataset ?? null,
        model: values.model ?? null,
      });
      out(p, describePrediction(sub, p));
      return 0;
    }
    if (command === "query") {
      if (sub || !values.dataset)
        throw new CliError("USAGE", "usage: facet query --dataset NAME [--filter Q] [--limit N | --all] [--json]");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const r = await queryCatalog(api, {
        workspace,
        dataset: values.dataset,
        filter: values.filter ?? "",
        limit: values.all ? null : intFlag(values.limit, "limit", 1, 1_000_000, 50),
      });
      if (json) {
        process.stdout.write(r.parts.map((p) => `${JSON.stringify(p)}\n`).join(""));
        process.stderr.write(`${r.parts.length} of ${r.total} matching part(s)\n`);
      } else {
        process.stdout.write(`${describeQuery(r)}\n`);
      }
      return 0;
    }
    if (command === "snapshot") {
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      if (sub === "create" && rest.length === 1) {
        if (!values.dataset) throw new CliError("USAGE", "--dataset NAME is required");
        const s = await createSnapshot(api, {
          workspace,
          dataset: values.dataset,
          name: rest[0] as string,
          statuses: values.status ? values.status.split(",").map((x) => x.trim()) : null,
          filter: values.filter ?? null,
          description: values.description ?? null,
        });
        out(s, describeSnapshot(s));
        return 0;
      }
      if (sub === "list" && rest.length === 0) {
        const list = await listSnapshots(api, { workspace, dataset: values.dataset ?? null });
        out(list, describeSnapshots(list));
        return 0;
      }
      if (sub === "verify" && rest.length === 1) {
        const r = await verifySnapshot(api, { workspace, snapshot: rest[0] as string, deep: values.deep });
        out(r, describeVerify(rest[0] as string, r));
        return r.ok ? 0 : 1;
      }
      if (sub === "diff" && rest.length === 2) {
        const d = await diffSnapshots(api, { workspace, a: rest[0] as string, b: rest[1] as string });
        out(d, describeDiff(d));
        return 0;
      }
      throw new CliError(
        "USAGE",
        "usage: facet snapshot create NAME --dataset D | list [--dataset D] | verify NAME [--deep] | diff A B",
      );
    }
    if (command === "export") {
      const format = values.format as ExportFormat | undefined;
      if (sub || !values.snapshot || !values.out || !format)
        throw new CliError(
          "USAGE",
          `usage: facet export --snapshot NAME --format ${EXPORT_FORMATS.join("|")} [--meshes] --out DIR`,
        );
      if (!EXPORT_FORMATS.includes(format))
        throw new CliError("USAGE", `--format must be one of ${EXPORT_FORMATS.join(", ")}`);
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const summary = await exportSnapshot(
        api,
        auth,
        { workspace, snapshot: values.snapshot, format, meshes: values.meshes, out: path.resolve(values.out), json },
        say,
      );
      out(summary, describeExport(summary));
      return 0;
    }
    if (command === "pull") {
      if (sub || !values.snapshot || !values.out)
        throw new CliError("USAGE", "usage: facet pull --snapshot NAME [--split S] --out DIR");
      const workspace = await resolveWorkspace(api, values.workspace, env.FACET_WORKSPACE);
      const summary = await pull(api, {
        workspace,
        snapshot: values.snapshot,
        split: values.split ?? null,
        out: path.resolve(values.out),
        concurrency: intFlag(values.concurrency, "concurrency", 1, 64, 8),
        json,
      });
      out(summary, describePull(summary));
      return summary.failed > 0 ? 1 : 0;
    }
    if (command === "api-key") {
      if (sub === "create") {
        if (!values.name) throw new CliError("USAGE", "--name is required");
        if (!values.scope?.length) throw new CliError("USAGE", "give at least one --scope");
        const r = await api.call<{ key: string; apiKey: { id: string; scopes: string[]; workspaceId: string | null } }>(
          "POST",
          "/api/api-keys",
          {
            name: values.name,
            scopes: values.scope,
            ...(values.workspace ? { workspace: values.workspace } : {}),
            ...(values["expires-days"]
              ? { expiresInDays: intFlag(values["expires-days"], "expires-days", 1, 3650, 0) }
              : {}),
          },
        );
        out(r, `${r.key}\n(shown once; id ${r.apiKey.id}, scopes ${r.apiKey.scopes.join(", ")})`);
        return 0;
      }
      if (sub === "list") {
        const r = await api.call<{
          apiKeys: Array<{ id: string; name: string; prefix: string; scopes: string[]; revokedAt: string | null }>;
        }>("GET", "/api/api-keys");
        out(
          r.apiKeys,
          r.apiKeys
            .map(
              (k) => `${k.id}  fct_${k.prefix}_…  ${k.name}  [${k.scopes.join(",")}]${k.revokedAt ? "  revoked" : ""}`,
            )
            .join("\n") || "no API keys",
        );
        return 0;
      }
      if (sub === "revoke" && rest[0]) {
        await api.call("DELETE", `/api/api-keys/${encodeURIComponent(rest[0])}`);
        out({ revoked: rest[0] }, `revoked ${rest[0]}`);
        return 0;
      }
      throw new CliError("USAGE", "usage: facet api-key create|list|revoke ID");
    }
    throw new CliError("USAGE", `unknown command "${command}"; see facet --help`);
  } catch (e) {
    const err =
      e instanceof CliError
        ? e
        : isAppError(e)
          ? new CliError(e.code, e.message)
          : new CliError(e instanceof TypeError ? "USAGE" : "ERROR", (e as Error).message);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
    else process.stderr.write(`facet: ${err.message}\n`);
    return err.code === "USAGE" ? 2 : 1;
  }
}
