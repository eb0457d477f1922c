import { z } from "zod";
import { sha256HexSchema } from "../content-address";
import { PART_STATUSES } from "../status";

/**
 * A snapshot's manifest: what the database froze, written as JSON beside it in storage
 * (`snapshots/<id>/manifest.json`) and into every export. The checksum covers every part's
 * pinned content, revision and annotation document (by hash), face numbering and split; the
 * database computes the same (public.freeze_snapshot), so the two can be compared at any time.
 */

export const SNAPSHOT_MANIFEST_FORMAT = "facet.snapshot/1";

export const snapshotNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    "a snapshot name is 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit",
  )
  // the address of the page (and API) that compares two snapshots
  .refine((n) => n.toLowerCase() !== "diff", "“diff” is reserved: choose another snapshot name");

export const snapshotPartSchema = z.object({
  partId: z.uuid(),
  name: z.string(),
  blobSha256: sha256HexSchema,
  revisionId: z.uuid(),
  revisionNo: z.number().int().positive(),
  faceSignature: z.string().nullable(),
  faceCount: z.number().int().nonnegative(),
  schemaVersion: z.number().int(),
  documentSha256: sha256HexSchema,
  status: z.enum(PART_STATUSES),
  split: z.string().nullable(),
});
export type SnapshotPart = z.infer<typeof snapshotPartSchema>;

export const snapshotManifestSchema = z.object({
  format: z.literal(SNAPSHOT_MANIFEST_FORMAT),
  snapshot: z.object({
    id: z.uuid(),
    name: snapshotNameSchema,
    description: z.string(),
    workspaceId: z.uuid(),
    dataset: z.object({ id: z.uuid(), name: z.string() }),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    statuses: z.array(z.enum(PART_STATUSES)).nullable(),
    filter: z.string(),
    labelSchema: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }).nullable(),
  }),
  partCount: z.number().int().nonnegative(),
  faceCount: z.number().int().nonnegative(),
  checksum: sha256HexSchema,
  parts: z.array(snapshotPartSchema),
});
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/** Where a snapshot's manifest is kept in object storage. */
export function snapshotManifestKey(snapshotId: string): string {
  return `snapshots/${z.uuid().parse(snapshotId)}/manifest.json`;
}

const codeOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The text the checksum is the SHA-256 of (UTF-8): one line per part in part-id order, fields
 * separated by tabs. Kept identical to public.freeze_snapshot's `string_agg`.
 */
export function snapshotChecksumText(
  parts: readonly Omit<SnapshotPart, "name" | "status" | "revisionNo" | "faceCount" | "schemaVersion">[],
): string {
  return [...parts]
    .sort((a, b) => codeOrder(a.partId, b.partId))
    .map((p) =>
      [p.partId, p.blobSha256, p.revisionId, p.documentSha256, p.faceSignature ?? "", p.split ?? ""].join("\t"),
    )
    .join("\n");
}

export interface ManifestDrift {
  partId: string;
  name: string;
  /** Which pinned fields differ, with both sides. */
  fields: { field: string; manifest: unknown; database: unknown }[];
}

export interface ManifestComparison {
  /** In the manifest only, in the database only, pinned differently. */
  missingFromDatabase: SnapshotPart[];
  missingFromManifest: SnapshotPart[];
  differing: ManifestDrift[];
}

const PINNED = [
  "blobSha256",
  "revisionId",
  "revisionNo",
  "faceSignature",
  "faceCount",
  "schemaVersion",
  "documentSha256",
  "status",
  "split",
] as const;

/** Compare a manifest's parts with the database's, field by field. */
export function compareSnapshotParts(
  manifest: readonly SnapshotPart[],
  database: readonly SnapshotPart[],
): ManifestComparison {
  const db = new Map(database.map((p) => [p.partId, p]));
  const man = new Map(manifest.map((p) => [p.partId, p]));
  const differing: ManifestDrift[] = [];
  for (const m of manifest) {
    const d = db.get(m.partId);
    if (!d) continue;
    const fields = PINNED.filter((f) => m[f] !== d[f]).map((f) => ({ field: f, manifest: m[f], database: d[f] }));
    if (fields.length > 0) differing.push({ partId: m.partId, name: d.name, fields });
  }
  return {
    missingFromDatabase: manifest.filter((p) => !db.has(p.partId)),
    missingFromManifest: database.filter((p) => !man.has(p.partId)),
    differing,
  };
}

/** What the database says of a snapshot now (db `checkSnapshotInDatabase`). */
export interface SnapshotDatabaseState {
  stored: string;
  recomputed: string;
  partCount: { stored: number; rows: number };
  revisionDrift: ReadonlyArray<{ partId: string; name: string; now: string | null }>;
}

/** The database's drift of a snapshot, one sentence each (`database: …`). */
export function snapshotDatabaseProblems(db: SnapshotDatabaseState): string[] {
  const out: string[] = [];
  if (db.recomputed !== db.stored)
    out.push(`database: the pinned rows give checksum ${db.recomputed}, not the ${db.stored} frozen`);
  if (db.partCount.rows !== db.partCount.stored)
    out.push(`database: ${db.partCount.rows} parts pinned, not the ${db.partCount.stored} frozen`);
  for (const d of db.revisionDrift)
    out.push(`database: part "${d.name}" (${d.partId}): its pinned revision ${d.now ? "changed" : "is gone"}`);
  return out;
}

/**
 * A stored manifest against the database's rows and frozen checksum, one sentence each (`manifest: …`).
 * `ownChecksum`: the SHA-256 of `snapshotChecksumText(stored.parts)`, computed by the caller.
 */
export function snapshotManifestProblems(
  stored: SnapshotManifest,
  ownChecksum: string,
  inDb: SnapshotManifest,
  frozen: string,
): string[] {
  const out: string[] = [];
  if (stored.checksum !== frozen)
    out.push(`manifest: checksum ${stored.checksum} differs from the database's ${frozen}`);
  if (ownChecksum !== stored.checksum)
    out.push(`manifest: its parts give checksum ${ownChecksum}, not the ${stored.checksum} it states`);
  if (stored.snapshot.id !== inDb.snapshot.id || stored.snapshot.workspaceId !== inDb.snapshot.workspaceId)
    out.push("manifest: it names another snapshot or workspace");
  const cmp = compareSnapshotParts(stored.parts, inDb.parts);
  for (const p of cmp.missingFromDatabase) out.push(`manifest: part "${p.name}" (${p.partId}) is not in the database`);
  for (const p of cmp.missingFromManifest) out.push(`manifest: part "${p.name}" (${p.partId}) is missing`);
  for (const d of cmp.differing) {
    const fields = d.fields.map((f) => `${f.field} ${String(f.manifest)} ≠ ${String(f.database)}`);
    out.push(`manifest: part "${d.name}" (${d.partId}): ${fields.join(", ")}`);
  }
  return out;
}

/** Per class, how many faces gained and lost it between two label lists of one face numbering. */
export function faceChangesByClass(
  before: readonly (string | null)[],
  after: readonly (string | null)[],
): Record<string, { gained: number; lost: number }> {
  const out: Record<string, { gained: number; lost: number }> = {};
  const bump = (c: string, k: "gained" | "lost") => {
    out[c] ??= { gained: 0, lost: 0 };
    out[c][k] += 1;
  };
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    const a = before[i] ?? null;
    const b = after[i] ?? null;
    if (a === b) continue;
    if (a !== null) bump(a, "lost");
    if (b !== null) bump(b, "gained");
  }
  return out;
}

/** The formats a snapshot exports to (snapshot_exports.format). */
export const EXPORT_FORMATS = ["parquet", "jsonl", "mfcad", "mfinstseg", "step"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What verifying a snapshot answers: whether database, manifest and stored files agree, and every drift in words. */
export interface SnapshotVerifyReport {
  ok: boolean;
  /** Every disagreement, naming the part (prefixed `database:`, `manifest:` or `file:`). */
  problems: string[];
  checks: {
    database: { checksum: string; recomputed: string; parts: number };
    manifest: { present: boolean; checksum: string | null; recomputed: string | null };
    /** Files looked up (and, deep, read back and hashed). */
    blobs: { checked: number; missing: number; damaged: number; deep: boolean };
  };
}
