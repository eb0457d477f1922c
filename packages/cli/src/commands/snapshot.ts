import type { SnapshotVerifyReport } from "@facet/core";
import type { SnapshotDiff } from "@facet/db";
import type { Api } from "../http";
import { type SnapshotInfo, snapshotPath, splitDir, wsPath } from "./pull";
import { table } from "./query";

/** `facet snapshot create NAME --dataset D [--status S,…] [--filter Q] [--description T]`. */
export async function createSnapshot(
  api: Api,
  opts: {
    workspace: string;
    dataset: string;
    name: string;
    statuses: string[] | null;
    filter: string | null;
    description: string | null;
  },
): Promise<SnapshotInfo> {
  const { snapshot } = await api.call<{ snapshot: SnapshotInfo }>("POST", `${wsPath(opts.workspace)}/snapshots`, {
    dataset: opts.dataset,
    name: opts.name,
    ...(opts.description !== null ? { description: opts.description } : {}),
    ...(opts.statuses !== null ? { statuses: opts.statuses } : {}),
    ...(opts.filter !== null ? { filter: opts.filter } : {}),
  });
  return snapshot;
}

const splitsText = (s: SnapshotInfo) => s.splits.map((x) => `${splitDir(x.split)} ${x.parts}`).join(", ") || "no parts";

export function describeSnapshot(s: SnapshotInfo): string {
  return [
    `snapshot ${s.name} of ${s.datasetName}: ${s.partCount} part(s), ${s.faceCount} face(s)`,
    `  per split: ${splitsText(s)}`,
    `  statuses: ${s.statuses?.join(", ") ?? "any with a label revision"}${s.filter ? ` · filter: ${s.filter}` : ""}`,
    `  checksum: ${s.checksum}`,
  ].join("\n");
}

export async function listSnapshots(
  api: Api,
  opts: { workspace: string; dataset: string | null },
): Promise<SnapshotInfo[]> {
  const q = opts.dataset === null ? "" : `?${new URLSearchParams({ dataset: opts.dataset })}`;
  const { snapshots } = await api.call<{ snapshots: SnapshotInfo[] }>("GET", `${wsPath(opts.workspace)}/snapshots${q}`);
  return snapshots;
}

export function describeSnapshots(list: SnapshotInfo[]): string {
  if (list.length === 0) return "no snapshots";
  return table(
    ["NAME", "DATASET", "PARTS", "FACES", "SPLITS", "CREATED", "CHECKSUM"],
    list.map((s) => [
      s.name,
      s.datasetName,
      String(s.partCount),
      String(s.faceCount),
      splitsText(s),
      s.createdAt.slice(0, 19).replace("T", " "),
      s.checksum.slice(0, 12),
    ]),
  );
}

/** What `POST …/snapshots/<name>/verify` answers. */
export type VerifyResult = SnapshotVerifyReport;

export function verifySnapshot(api: Api, opts: { workspace: string; snapshot: string; deep: boolean }) {
  return api.call<VerifyResult>("POST", `${snapshotPath(opts.workspace, opts.snapshot)}/verify`, {
    deep: opts.deep,
  });
}

export function describeVerify(name: string, r: VerifyResult): string {
  const { database: db, manifest: m, blobs } = r.checks;
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  const has = (prefix: string) => r.problems.some((p) => p.startsWith(prefix));
  const lines = [
    `${mark(!has("database:"))} database: ${db.parts} part(s) pinned, checksum ${db.checksum}` +
      (db.recomputed === db.checksum ? " recomputed the same" : `, recomputed ${db.recomputed}`),
    `${mark(!has("manifest:"))} manifest: ${
      m.present ? `in storage, checksum ${m.checksum}, its parts give ${m.recomputed}` : "not in storage"
    }`,
    `${mark(!has("file:"))} files: ${blobs.checked} checked ${blobs.deep ? "(read back and hashed)" : "(stored hash, --deep to read them back)"}, ` +
      `${blobs.missing} missing, ${blobs.damaged} damaged`,
    ...r.problems.map((p) => `  ✗ ${p}`),
    r.ok
      ? `snapshot ${name} verified: the database, the manifest and the files agree`
      : `snapshot ${name}: ${r.problems.length} problem(s)`,
  ];
  return lines.join("\n");
}

export function diffSnapshots(api: Api, opts: { workspace: string; a: string; b: string }) {
  return api.call<SnapshotDiff>(
    "GET",
    `${wsPath(opts.workspace)}/snapshots/diff?${new URLSearchParams({ a: opts.a, b: opts.b })}`,
  );
}

export function describeDiff(d: SnapshotDiff): string {
  const t = d.totals;
  const lines = [
    `${d.a.name} (${d.a.partCount} parts) → ${d.b.name} (${d.b.partCount} parts): ${t.added} added, ` +
      `${t.removed} removed, ${t.relabelled} relabelled, ${t.resplit} re-split`,
  ];
  const section = (title: string, total: number, items: string[]) => {
    if (total === 0) return;
    lines.push(`${title}:`, ...items.map((i) => `  ${i}`));
    if (total > items.length) lines.push(`  … and ${total - items.length} more`);
  };
  section(
    "added",
    t.added,
    d.added.map((p) => `+ ${p.name}`),
  );
  section(
    "removed",
    t.removed,
    d.removed.map((p) => `- ${p.name}`),
  );
  section(
    "relabelled",
    t.relabelled,
    d.relabelled.map(
      (p) =>
        `~ ${p.name}: revision ${p.revisionA} → ${p.revisionB}${p.sameNumbering ? "" : " (faces renumbered: not compared face by face)"}`,
    ),
  );
  section(
    "re-split",
    t.resplit,
    d.resplit.map((p) => `~ ${p.name}: ${splitDir(p.from)} → ${splitDir(p.to)}`),
  );
  if (d.faceChanges.length) {
    lines.push("faces per class:");
    lines.push(
      table(
        ["  CLASS", "GAINED", "LOST"],
        d.faceChanges.map((c) => [`  ${c.feature}`, `+${c.gained}`, `-${c.lost}`]),
      ),
    );
  }
  return lines.join("\n");
}
