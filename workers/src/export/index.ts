import { jsonlWriter } from "./jsonl";
import { mfcadWriter } from "./mfcad";
import { mfinstsegWriter } from "./mfinstseg";
import {
  EXPORT_WRITER_VERSION,
  type ExportContext,
  type ExportFormat,
  type ExportPart,
  type FormatWriter,
  type Unrepresented,
} from "./model";
import { parquetWriter } from "./parquet";
import { stepWriter } from "./step";

export { type FileSink, ZipArchive } from "./archive";
export * from "./model";

const WRITERS: Record<ExportFormat, (ctx: ExportContext) => FormatWriter> = {
  parquet: parquetWriter,
  jsonl: jsonlWriter,
  mfcad: mfcadWriter,
  mfinstseg: mfinstsegWriter,
  step: stepWriter,
};

export function formatWriter(format: ExportFormat, ctx: ExportContext): FormatWriter {
  return WRITERS[format](ctx);
}

export interface ArchiveOptions {
  format: ExportFormat;
  /** Copy each part's GLB mesh into `meshes/<part id>.glb`. */
  includeMeshes: boolean;
  readMesh?: (key: string) => Promise<Uint8Array>;
  /** After each part (for the job's progress). */
  onPart?: (done: number) => Promise<void>;
}

/**
 * Everything an export archive holds, written through `ctx.sink`: the format's files, the GLB meshes
 * when asked (after the format's files: one file is written at a time), and `manifest.json` naming
 * the snapshot, the writer and every part with its hashes.
 */
export async function writeExport(
  ctx: ExportContext,
  parts: AsyncIterable<ExportPart>,
  o: ArchiveOptions,
): Promise<{ parts: number; unrepresented: Unrepresented[] }> {
  const writer = formatWriter(o.format, ctx);
  const manifestParts: unknown[] = [];
  const meshes: Array<[string, string]> = [];
  let done = 0;
  for await (const part of parts) {
    await writer.addPart(part);
    manifestParts.push({
      part_id: part.partId,
      name: part.name,
      blob_sha256: part.blobSha256,
      revision_id: part.revisionId,
      revision_no: part.revisionNo,
      document_sha256: part.documentSha256,
      face_signature: part.faceSignature,
      split: part.split,
      status: part.status,
    });
    if (o.includeMeshes && part.meshKey) meshes.push([part.partId, part.meshKey]);
    await o.onPart?.(++done);
  }
  const { unrepresented } = await writer.finish();
  if (o.includeMeshes) {
    if (!o.readMesh) throw new Error("meshes asked for, but no way to read them");
    for (const [partId, key] of meshes)
      await ctx.sink.file(`meshes/${partId}.glb`, await o.readMesh(key), { compress: false });
  }
  const s = ctx.snapshot;
  const manifest = {
    writer: EXPORT_WRITER_VERSION,
    format: o.format,
    include_meshes: o.includeMeshes,
    snapshot: {
      id: s.id,
      name: s.name,
      checksum: s.checksum,
      part_count: s.partCount,
      face_count: s.faceCount,
      created_at: s.createdAt.toISOString(),
      label_schema_version: s.labelSchemaVersion,
    },
    unrepresented,
    parts: manifestParts,
  };
  await ctx.sink.file("manifest.json", `${JSON.stringify(manifest, null, 1)}\n`);
  return { parts: done, unrepresented };
}
