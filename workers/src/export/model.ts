import type { AnnotationDocument, Crosswalk, Taxonomy } from "@facet/core";
import { DEFAULT_TAXONOMY } from "@facet/core";
import type { ExportJob, SnapshotExportPart } from "@facet/db";
import type { FacesDocument } from "@facet/geometry";
import type { FileSink } from "./archive";

/** Written into every manifest and dataset card: which code wrote the files. */
export const EXPORT_WRITER_VERSION = "facet-export/1";

export type ExportFormat = "parquet" | "jsonl" | "mfcad" | "mfinstseg" | "step";

/** A snapshot as its exports describe it. */
export type ExportSnapshot = Omit<ExportJob["snapshot"], "workspaceId" | "datasetId">;

/** One part of a snapshot with what it pinned: its content, its revision's document and its faces. */
export interface ExportPart extends Omit<SnapshotExportPart, "document" | "facesKey"> {
  document: AnnotationDocument;
  /** The faces file of the geometry with the pinned face numbering; null when none is stored. */
  faces: FacesDocument | null;
}

/** What every format writer is given. */
export interface ExportContext {
  snapshot: ExportSnapshot;
  taxonomy: Taxonomy;
  sink: FileSink;
  /** The part's STEP bytes (formats that ship STEP files). */
  step?: (part: ExportPart) => Promise<Uint8Array>;
  /** STEP bytes → face records with their STEP names (the geometry kernel), for files whose faces have no usable names. */
  probeFaces?: (step: Uint8Array) => Promise<Array<{ stepName: string | null; surface: string; area: number }>>;
}

/** A part the format could not carry in full, named in the archive's README. */
export interface Unrepresented {
  partId: string;
  name: string;
  reason: string;
}

export interface FormatWriter {
  addPart(part: ExportPart): Promise<void>;
  /** Write what remains (split lists, dataset card); returns the parts the format could not carry. */
  finish(): Promise<{ unrepresented: Unrepresented[]; stats: ExportStats }>;
}

/** Hugging Face's split folder names: `val` is `validation`; a part without a split is `unassigned`. */
export function splitFolder(split: string | null): string {
  if (split === null || split === "") return "unassigned";
  if (split === "val") return "validation";
  return split;
}

/** Faces and instances per feature class, per split (the dataset card and README). */
export class ExportStats {
  readonly splits = new Map<
    string,
    { parts: number; faces: number; faceClasses: Map<string, number>; instances: Map<string, number> }
  >();

  add(part: ExportPart) {
    const key = splitFolder(part.split);
    let s = this.splits.get(key);
    if (!s) {
      s = { parts: 0, faces: 0, faceClasses: new Map(), instances: new Map() };
      this.splits.set(key, s);
    }
    s.parts++;
    s.faces += part.document.labels.length;
    for (const l of part.document.labels) {
      const k = l ?? "(unlabelled)";
      s.faceClasses.set(k, (s.faceClasses.get(k) ?? 0) + 1);
    }
    for (const i of part.document.instances) s.instances.set(i.feature, (s.instances.get(i.feature) ?? 0) + 1);
  }

  /** A Markdown table: parts and faces per split, then faces and instances per class and split. */
  markdown(taxonomy: Taxonomy): string {
    const splits = [...this.splits.keys()].sort(splitOrder);
    if (splits.length === 0) return "The snapshot holds no parts.\n";
    const names = new Map(taxonomy.featureTypes.map((f) => [f.key, f.name]));
    const classes = new Set<string>();
    for (const s of this.splits.values()) {
      for (const k of s.faceClasses.keys()) classes.add(k);
      for (const k of s.instances.keys()) classes.add(k);
    }
    const order = [...taxonomy.featureTypes.map((f) => f.key), "(unlabelled)"];
    const rank = (k: string) => (order.indexOf(k) === -1 ? order.length : order.indexOf(k));
    const sorted = [...classes].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const lines = [
      `| split | parts | faces |`,
      `|---|---:|---:|`,
      ...splits.map((k) => {
        const s = this.splits.get(k);
        return `| ${k} | ${s?.parts ?? 0} | ${s?.faces ?? 0} |`;
      }),
      "",
      "Faces / instances per feature class:",
      "",
      `| class | ${splits.join(" | ")} |`,
      `|---|${splits.map(() => "---:").join("|")}|`,
      ...sorted.map((k) => {
        const label = names.has(k) ? `${names.get(k)} (\`${k}\`)` : k;
        const cells = splits.map((sp) => {
          const s = this.splits.get(sp);
          return `${s?.faceClasses.get(k) ?? 0} / ${s?.instances.get(k) ?? 0}`;
        });
        return `| ${label} | ${cells.join(" | ")} |`;
      }),
    ];
    return `${lines.join("\n")}\n`;
  }
}

/** train, validation, test first, then the other splits by name. */
export function splitOrder(a: string, b: string): number {
  const known = ["train", "validation", "test"];
  const ra = known.indexOf(a) === -1 ? known.length : known.indexOf(a);
  const rb = known.indexOf(b) === -1 ? known.length : known.indexOf(b);
  return ra - rb || a.localeCompare(b);
}

/** The schema's crosswalk to a dataset's class ids (the default taxonomy's when the schema has none). */
export function crosswalkOf(taxonomy: Taxonomy, name: "mfcad" | "mfcadpp"): Crosswalk {
  const cw = taxonomy.crosswalks[name] ?? DEFAULT_TAXONOMY.crosswalks[name];
  if (!cw) throw new Error(`no ${name} crosswalk`);
  return cw;
}

/** Feature key → the dataset's class id (the first class mapped to it). */
export function classIds(crosswalk: Crosswalk): Map<string, number> {
  const out = new Map<string, number>();
  crosswalk.classes.forEach((c, i) => {
    const id = typeof c.id === "number" ? c.id : i;
    if (c.feature !== null && !out.has(c.feature)) out.set(c.feature, id);
  });
  return out;
}

/**
 * Each face's class id in a dataset's numbering, or why the part cannot be written in it (faces
 * unlabelled, or labelled with a class the dataset does not have).
 */
export function classesOf(
  part: ExportPart,
  ids: Map<string, number>,
  datasetName: string,
): { ok: true; classes: number[] } | { ok: false; reason: string } {
  const classes: number[] = [];
  let unlabelled = 0;
  const missing = new Map<string, number>();
  for (const l of part.document.labels) {
    const id = l === null ? undefined : ids.get(l);
    if (l === null) unlabelled++;
    else if (id === undefined) missing.set(l, (missing.get(l) ?? 0) + 1);
    classes.push(id ?? -1);
  }
  const why: string[] = [];
  if (unlabelled > 0) why.push(`${unlabelled} face(s) unlabelled`);
  for (const [k, n] of missing) why.push(`${n} face(s) labelled ${k}, which ${datasetName} has no class for`);
  return why.length > 0 ? { ok: false, reason: why.join("; ") } : { ok: true, classes };
}

/**
 * A file name for a part: its own name without the extension when that is a plain file name (so
 * that `facet import-labels` finds the part again by it), else its id; unique within the archive.
 */
export class FileStems {
  private readonly seen = new Set<string>();

  of(part: ExportPart): string {
    const stem = part.name.replace(/\.(step|stp)$/i, "");
    let name = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/.test(stem) ? stem : part.partId;
    if (this.seen.has(name)) name = `${name}-${part.partId.slice(0, 8)}`;
    if (this.seen.has(name)) name = part.partId;
    this.seen.add(name);
    return name;
  }
}

/** The faces each instance holds, and which are bottom faces, by face index. */
export function instanceOfFaces(document: AnnotationDocument): {
  instanceOf: Array<string | null>;
  bottom: boolean[];
} {
  const instanceOf: Array<string | null> = new Array(document.labels.length).fill(null);
  const bottom: boolean[] = new Array(document.labels.length).fill(false);
  for (const inst of document.instances) {
    for (const f of inst.faces) if (f < instanceOf.length) instanceOf[f] = inst.id;
    for (const f of inst.bottomFaces ?? []) if (f < bottom.length) bottom[f] = true;
  }
  return { instanceOf, bottom };
}

/** The README every non-Parquet archive carries: what the snapshot is, its counts, what could not be written. */
export function archiveReadme(
  ctx: ExportContext,
  format: ExportFormat,
  stats: ExportStats,
  unrepresented: Unrepresented[],
  layout: string,
): string {
  const s = ctx.snapshot;
  return [
    `# Snapshot ${s.name} (${format})`,
    "",
    ...snapshotFacts(s),
    "",
    "## Layout",
    "",
    layout,
    "",
    "## Class counts",
    "",
    stats.markdown(ctx.taxonomy),
    unrepresentedSection(unrepresented),
  ].join("\n");
}

export function unrepresentedSection(unrepresented: Unrepresented[]): string {
  if (unrepresented.length === 0) return "Every part of the snapshot is in this archive with all its labels.\n";
  return [
    `## Parts this format could not carry in full (${unrepresented.length})`,
    "",
    "| part | id | why |",
    "|---|---|---|",
    ...unrepresented.map((u) => `| ${u.name.replaceAll("|", "\\|")} | ${u.partId} | ${u.reason} |`),
    "",
  ].join("\n");
}

/** What a README says of the snapshot: id, checksum, counts, when, schema, writer. */
export function snapshotFacts(s: ExportSnapshot): string[] {
  return [
    `- snapshot id: \`${s.id}\``,
    `- checksum: \`${s.checksum}\` (sha256 over every part's blob, revision, document, numbering and split)`,
    `- parts: ${s.partCount}, faces: ${s.faceCount}`,
    `- frozen: ${s.createdAt.toISOString()}`,
    `- label schema version: ${s.labelSchemaVersion ?? "none"}`,
    `- written by: ${EXPORT_WRITER_VERSION}`,
  ];
}
