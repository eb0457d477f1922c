import type { FileStream } from "./archive";
import {
  archiveReadme,
  type ExportContext,
  type ExportPart,
  ExportStats,
  type FormatWriter,
  splitFolder,
  type Unrepresented,
} from "./model";

/** One JSON object per part: what the snapshot pinned, the label of every face and the instances. */
export function jsonlRecord(part: ExportPart): Record<string, unknown> {
  const d = part.document;
  return {
    part_id: part.partId,
    name: part.name,
    blob_sha256: part.blobSha256,
    split: part.split,
    status: part.status,
    face_count: part.faceCount,
    face_signature: part.faceSignature,
    revision_id: part.revisionId,
    revision_no: part.revisionNo,
    label_schema_version: part.schemaVersion,
    document_sha256: part.documentSha256,
    labels: d.labels,
    instances: d.instances.map((i) => ({
      id: i.id,
      feature: i.feature,
      faces: i.faces,
      bottom_faces: i.bottomFaces ?? [],
      params: i.params ?? {},
      confidence: i.confidence ?? null,
    })),
  };
}

/**
 * JSON Lines, one file per split (`jsonl/train.jsonl`, `jsonl/validation.jsonl`, …). Parts come split by
 * split, so each file is streamed into the archive as its lines are made.
 */
export function jsonlWriter(ctx: ExportContext): FormatWriter {
  const stats = new ExportStats();
  const unrepresented: Unrepresented[] = [];
  let current: { folder: string; out: FileStream } | null = null;
  const done = new Set<string>();

  return {
    async addPart(part) {
      stats.add(part);
      const folder = splitFolder(part.split);
      if (current?.folder !== folder) {
        await current?.out.end();
        if (done.has(folder)) throw new Error(`the parts of split ${folder} did not come together`);
        done.add(folder);
        current = { folder, out: await ctx.sink.stream(`jsonl/${folder}.jsonl`) };
      }
      await current.out.write(`${JSON.stringify(jsonlRecord(part))}\n`);
    },
    async finish() {
      await current?.out.end();
      current = null;
      const layout =
        "`jsonl/<split>.jsonl`: one JSON object per line and part (`labels`: the feature key of each face by face index, null when unlabelled; `instances`: feature instances with their faces, bottom faces, parameters and confidence).";
      await ctx.sink.file("README.md", archiveReadme(ctx, "jsonl", stats, unrepresented, layout));
      return { unrepresented, stats };
    },
  };
}
