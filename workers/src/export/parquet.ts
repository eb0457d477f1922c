import {
  EXPORT_WRITER_VERSION,
  type ExportContext,
  type ExportPart,
  ExportStats,
  type FormatWriter,
  instanceOfFaces,
  snapshotFacts,
  splitFolder,
  splitOrder,
  type Unrepresented,
  unrepresentedSection,
} from "./model";
import { type Column, type ColumnType, ParquetRows } from "./parquet-encode";

const col = (name: string, type: ColumnType, nullable = false): Column => ({ name, type, nullable });
const xyz = (prefix: string) => ["x", "y", "z"].map((a) => col(`${prefix}_${a}`, "DOUBLE", true));

/** The four tables and their columns (see the dataset card for what each means). */
export const TABLES = {
  parts: [
    col("part_id", "STRING"),
    col("name", "STRING"),
    col("blob_sha256", "STRING"),
    col("split", "STRING", true),
    col("status", "STRING"),
    col("face_count", "INT32"),
    col("face_signature", "STRING", true),
    col("revision_id", "STRING"),
    col("revision_no", "INT32"),
    col("label_schema_version", "INT32"),
    col("features", "STRING_LIST"),
    col("labelled_faces", "INT32"),
    col("instance_count", "INT32"),
  ],
  faces: [
    col("part_id", "STRING"),
    col("face_index", "INT32"),
    col("surface_type", "STRING", true),
    col("area", "DOUBLE", true),
    ...xyz("direction"),
    ...xyz("origin"),
    col("radius", "DOUBLE", true),
    ...xyz("bbox_min"),
    ...xyz("bbox_max"),
    col("step_name", "STRING", true),
    col("label", "STRING", true),
    col("instance_id", "STRING", true),
    col("bottom", "BOOLEAN"),
  ],
  instances: [
    col("part_id", "STRING"),
    col("instance_id", "STRING"),
    col("feature", "STRING"),
    col("faces", "INT32_LIST"),
    col("bottom_faces", "INT32_LIST"),
    col("params", "STRING"),
    col("confidence", "DOUBLE", true),
  ],
  edges: [
    col("part_id", "STRING"),
    col("face_a", "INT32"),
    col("face_b", "INT32"),
    col("convexity", "STRING"),
    col("angle", "DOUBLE"),
  ],
} as const satisfies Record<string, Column[]>;
export type TableName = keyof typeof TABLES;
const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Rows per Parquet file: a file (and the rows held before it is written) stays a few tens of MB at most. */
export const ROWS_PER_FILE: Record<TableName, number> = {
  parts: 50_000,
  faces: 200_000,
  instances: 100_000,
  edges: 400_000,
};

/** Rows of one table and split, written as numbered files when they reach the bound. */
class TableBuffer {
  private held: ParquetRows;
  files = 0;

  constructor(
    private readonly table: TableName,
    private readonly folder: string,
    private readonly ctx: ExportContext,
  ) {
    this.held = new ParquetRows(TABLES[table]);
  }

  /** Hold a row; true when the file is full (then `flush`). Synchronous: a face is one call, no promise. */
  push(row: unknown[]): boolean {
    this.held.push(row);
    return this.held.rows >= ROWS_PER_FILE[this.table];
  }

  /** Write the rows held as the next file (an empty file when asked and none was written yet). */
  async flush(evenEmpty = false) {
    if (this.held.rows === 0 && !(evenEmpty && this.files === 0)) return;
    const bytes = this.held.encode({
      createdBy: EXPORT_WRITER_VERSION,
      kvMetadata: [
        { key: "facet.snapshot_id", value: this.ctx.snapshot.id },
        { key: "facet.snapshot_checksum", value: this.ctx.snapshot.checksum },
      ],
    });
    this.held = new ParquetRows(TABLES[this.table]);
    const name = `${this.table}/${this.folder}/${this.table}-${String(this.files).padStart(5, "0")}.parquet`;
    await this.ctx.sink.file(name, bytes, { compress: false });
    this.files++;
  }
}

const n = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/**
 * The snapshot as four Parquet tables, one folder per split: `<table>/<split>/<table>-00000.parquet`.
 * DuckDB reads `read_parquet('faces/*\/*.parquet')`; Hugging Face `datasets` reads each table with
 * `load_dataset("parquet", data_dir="faces")` (its split folder names: train, validation, test) or
 * the whole archive through the dataset card's `configs`.
 */
export function parquetWriter(ctx: ExportContext): FormatWriter {
  const stats = new ExportStats();
  const buffers = new Map<string, TableBuffer>();
  const buffer = (table: TableName, folder: string) => {
    const key = `${table}/${folder}`;
    let b = buffers.get(key);
    if (!b) {
      b = new TableBuffer(table, folder, ctx);
      buffers.set(key, b);
    }
    return b;
  };
  const unrepresented: Unrepresented[] = [];
  let current: string | null = null;

  return {
    async addPart(part: ExportPart) {
      stats.add(part);
      const folder = splitFolder(part.split);
      // parts come split by split: a finished split's rows are written now, not held to the end
      if (current !== null && current !== folder)
        for (const [key, b] of buffers) if (key.endsWith(`/${current}`)) await b.flush();
      current = folder;
      const d = part.document;
      const features = [...new Set(d.labels.filter((l): l is string => l !== null))].sort();
      const partRows = buffer("parts", folder);
      if (
        partRows.push([
          part.partId,
          part.name,
          part.blobSha256,
          part.split,
          part.status,
          part.faceCount,
          part.faceSignature,
          part.revisionId,
          part.revisionNo,
          part.schemaVersion,
          features,
          d.labels.filter((l) => l !== null).length,
          d.instances.length,
        ])
      )
        await partRows.flush();
      const { instanceOf, bottom } = instanceOfFaces(d);
      const faces = part.faces?.faceCount === d.labels.length ? part.faces.faces : null;
      if (part.faces && !faces)
        unrepresented.push({
          partId: part.partId,
          name: part.name,
          reason: `its faces file has ${part.faces.faceCount} faces, its labels ${d.labels.length}: face attributes left empty`,
        });
      else if (!part.faces)
        unrepresented.push({
          partId: part.partId,
          name: part.name,
          reason: "no stored geometry with its face numbering: face attributes and edges left empty",
        });
      const faceRows = buffer("faces", folder);
      for (let i = 0; i < d.labels.length; i++) {
        const f = faces?.[i];
        if (
          faceRows.push([
            part.partId,
            i,
            f?.surface ?? null,
            n(f?.area),
            n(f?.direction?.[0]),
            n(f?.direction?.[1]),
            n(f?.direction?.[2]),
            n(f?.origin?.[0]),
            n(f?.origin?.[1]),
            n(f?.origin?.[2]),
            n(f?.radius),
            n(f?.bbox.min[0]),
            n(f?.bbox.min[1]),
            n(f?.bbox.min[2]),
            n(f?.bbox.max[0]),
            n(f?.bbox.max[1]),
            n(f?.bbox.max[2]),
            f?.stepName ?? null,
            d.labels[i] ?? null,
            instanceOf[i] ?? null,
            bottom[i] ?? false,
          ])
        )
          await faceRows.flush();
      }
      const instanceRows = buffer("instances", folder);
      for (const inst of d.instances) {
        if (
          instanceRows.push([
            part.partId,
            inst.id,
            inst.feature,
            inst.faces,
            inst.bottomFaces ?? [],
            JSON.stringify(inst.params ?? {}),
            inst.confidence ?? null,
          ])
        )
          await instanceRows.flush();
      }
      const edgeRows = buffer("edges", folder);
      if (faces)
        for (const e of part.faces?.edges ?? [])
          if (edgeRows.push([part.partId, e.faces[0], e.faces[1], e.convexity, e.angle])) await edgeRows.flush();
    },

    async finish() {
      const folders = [...new Set([...buffers.keys()].map((k) => k.split("/")[1] as string))].sort(splitOrder);
      // every table has every split, an empty file where it has no rows (one schema per config)
      for (const table of TABLE_NAMES) for (const folder of folders) await buffer(table, folder).flush(true);
      await ctx.sink.file("README.md", datasetCard(ctx, folders, stats, unrepresented));
      return { unrepresented, stats };
    },
  };
}

/** Hugging Face dataset card: YAML front matter with one config per table, then what the snapshot holds. */
export function datasetCard(
  ctx: ExportContext,
  folders: string[],
  stats: ExportStats,
  unrepresented: Unrepresented[],
): string {
  const s = ctx.snapshot;
  const yaml = [
    "---",
    `pretty_name: ${JSON.stringify(`Facet snapshot ${s.name}`)}`,
    "tags:",
    "- cad",
    "- b-rep",
    "- machining-features",
    "configs:",
    ...TABLE_NAMES.flatMap((table) => [
      `- config_name: ${table}`,
      ...(table === "faces" ? ["  default: true"] : []),
      "  data_files:",
      ...folders.flatMap((folder) => [`  - split: ${folder}`, `    path: "${table}/${folder}/*.parquet"`]),
    ]),
    "---",
  ];
  const body = [
    `# Facet snapshot ${s.name}`,
    "",
    ...snapshotFacts(s),
    "",
    "## Tables",
    "",
    "One folder per table, one folder per split inside it (`<table>/<split>/<table>-00000.parquet`):",
    "",
    "- `parts`: one row per part: its content hash, split, status, the annotation revision the snapshot pinned, the feature classes present.",
    "- `faces`: one row per B-rep face (`face_index` in Facet's deterministic face numbering): surface type, area, `direction_*` (plane normal or axis), `origin_*`, radius, bounding box, STEP entity name, `label` (feature key, null when unlabelled), `instance_id` and `bottom`.",
    "- `instances`: one row per feature instance: its faces, bottom faces, parameters (JSON text) and confidence.",
    "- `edges`: one row per pair of adjacent faces with the edge's convexity and dihedral angle (degrees).",
    "",
    "```python",
    "from datasets import load_dataset",
    'faces = load_dataset("parquet", data_dir="faces")  # or load_dataset("<this folder>", "faces")',
    "```",
    "",
    "```sql",
    "select label, count(*) from read_parquet('faces/*/*.parquet') group by label;",
    "```",
    "",
    "## Class counts",
    "",
    stats.markdown(ctx.taxonomy),
    unrepresentedSection(unrepresented),
  ];
  return `${yaml.join("\n")}\n\n${body.join("\n")}`;
}
