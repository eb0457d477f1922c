import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExport } from "./index";
import type { ExportContext, ExportPart } from "./model";
import { ROWS_PER_FILE, TABLES } from "./parquet";
import { archiveFolder, corpusPart, duck, each, TEST_SNAPSHOT } from "./testing";

describe("Parquet export (real corpus parts, read back by DuckDB and by hyparquet)", () => {
  let parts: ExportPart[];
  let dir: string;
  const saved = { ...ROWS_PER_FILE };

  beforeAll(async () => {
    // parts come split by split, as the job reads them
    parts = [
      await corpusPart("mfcad/0-0-0-0-0-23.step", "train"),
      await corpusPart("mfcad/0-1-2-3-19.step", "train"),
      await corpusPart("mfcad/6-9-9-19.step", "val"),
      await corpusPart("aagnet/dataset_test.step", "test"),
    ];
    // small files, so that a split's rows span several of them
    ROWS_PER_FILE.faces = 20;
    ROWS_PER_FILE.edges = 50;
    const snapshot = {
      ...TEST_SNAPSHOT,
      partCount: parts.length,
      faceCount: parts.reduce((n, p) => n + p.faceCount, 0),
    };
    ({ dir } = await archiveFolder(async (sink) => {
      const ctx: ExportContext = { snapshot, taxonomy: DEFAULT_TAXONOMY, sink };
      await writeExport(ctx, each(parts), { format: "parquet", includeMeshes: false });
    }));
  }, 120_000);
  afterAll(async () => {
    Object.assign(ROWS_PER_FILE, saved);
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  const glob = (table: string) => `read_parquet('${dir}/${table}/*/*.parquet', filename = true)`;
  const folderOf = (file: unknown) => path.basename(path.dirname(String(file)));

  it("lays out one folder per table and split, in bounded files, as Hugging Face names splits", async () => {
    expect((await readdir(dir)).sort()).toEqual(["README.md", "edges", "faces", "instances", "manifest.json", "parts"]);
    for (const table of ["parts", "faces", "instances", "edges"])
      expect((await readdir(path.join(dir, table))).sort(), table).toEqual(["test", "train", "validation"]);
    const trainFaces = (await readdir(path.join(dir, "faces/train"))).sort();
    const faces = parts[0]!.faceCount + parts[1]!.faceCount;
    expect(trainFaces).toEqual(
      Array.from({ length: Math.ceil(faces / 20) }, (_, i) => `faces-${String(i).padStart(5, "0")}.parquet`),
    );
    // a split without instances still has its (empty) file: every config has every split
    expect(await readdir(path.join(dir, "instances/train"))).toEqual(["instances-00000.parquet"]);
  });

  it("holds exactly the snapshot's parts, with their pins and split", async () => {
    const rows = await duck(`select * exclude (filename), filename from ${glob("parts")} order by name`);
    expect(rows).toHaveLength(parts.length);
    for (const p of parts) {
      const r = rows.find((x) => x.part_id === p.partId);
      expect(r, p.name).toMatchObject({
        name: p.name,
        blob_sha256: p.blobSha256,
        split: p.split,
        status: "approved",
        face_count: p.faceCount,
        face_signature: p.faceSignature,
        revision_id: p.revisionId,
        revision_no: 2,
        label_schema_version: 1,
        features: [...new Set(p.document.labels as string[])].sort(),
        labelled_faces: p.faceCount,
        instance_count: p.document.instances.length,
      });
      expect(folderOf(r?.filename)).toBe(p.split === "val" ? "validation" : p.split);
    }
  });

  it("holds every face with its attributes and label, in face-index order", async () => {
    const rows = await duck(`select * exclude (filename), filename from ${glob("faces")} order by part_id, face_index`);
    expect(rows).toHaveLength(parts.reduce((n, p) => n + p.faceCount, 0));
    for (const p of parts) {
      const mine = rows.filter((r) => r.part_id === p.partId);
      expect(
        mine.map((r) => r.label),
        p.name,
      ).toEqual(p.document.labels);
      expect(mine.map((r) => r.face_index)).toEqual(p.document.labels.map((_, i) => i));
      expect(mine.map((r) => r.surface_type)).toEqual(p.faces?.faces.map((f) => f.surface));
      expect(mine.map((r) => r.step_name)).toEqual(p.faces?.faces.map((f) => f.stepName));
      mine.forEach((r, i) => {
        const f = p.faces?.faces[i];
        expect(r.area).toBeCloseTo(f?.area as number, 9);
        expect([r.bbox_min_x, r.bbox_max_z]).toEqual([f?.bbox.min[0], f?.bbox.max[2]]);
        const z = (x: unknown) => (typeof x === "number" ? x + 0 : x); // -0 is 0 once in JSON
        expect(z(r.direction_x)).toBe(z(f?.direction?.[0] ?? null));
        expect(z(r.origin_y)).toBe(z(f?.origin?.[1] ?? null));
        expect(r.radius).toBe(f?.radius ?? null);
      });
      expect(new Set(mine.map((r) => folderOf(r.filename)))).toEqual(
        new Set([p.split === "val" ? "validation" : p.split]),
      );
    }
    // the AAGNet part's instances and bottom faces, face by face
    const aag = parts[3] as ExportPart;
    const mine = rows.filter((r) => r.part_id === aag.partId);
    for (const inst of aag.document.instances)
      for (const f of inst.faces)
        expect(mine[f]).toMatchObject({ instance_id: inst.id, bottom: (inst.bottomFaces ?? []).includes(f) });
    expect(mine.filter((r) => r.bottom).map((r) => r.face_index)).toEqual([3, 5, 8, 9]);
    expect(mine.filter((r) => r.instance_id === null).every((r) => r.label === "stock")).toBe(true);
  });

  it("holds the instances with their faces and parameters, and the edges with their convexity", async () => {
    const inst = await duck(`select * from ${glob("instances")} order by instance_id`);
    const aag = parts[3] as ExportPart;
    expect(inst).toHaveLength(aag.document.instances.length);
    for (const i of aag.document.instances) {
      const r = inst.find((x) => x.instance_id === i.id);
      expect(r).toMatchObject({ part_id: aag.partId, feature: i.feature, faces: i.faces, confidence: 0.9 });
      expect(r?.bottom_faces).toEqual(i.bottomFaces ?? []);
      expect(JSON.parse(String(r?.params))).toEqual(i.params);
    }
    const edges = await duck(
      `select part_id, count(*)::int as n, count(distinct convexity)::int as kinds from ${glob("edges")} group by 1`,
    );
    for (const p of parts) expect(edges.find((e) => e.part_id === p.partId)?.n, p.name).toBe(p.faces?.edges.length);
    const sample = await duck(
      `select face_a, face_b, convexity, angle from ${glob("edges")} where part_id = '${aag.partId}' order by face_a, face_b limit 1`,
    );
    const first = [...(aag.faces?.edges ?? [])].sort((a, b) => a.faces[0] - b.faces[0] || a.faces[1] - b.faces[1])[0];
    expect(sample[0]).toEqual({
      face_a: first?.faces[0],
      face_b: first?.faces[1],
      convexity: first?.convexity,
      angle: first?.angle,
    });
  });

  it("reads back with hyparquet too (another reader): the tables' schema, the snapshot in every file, DuckDB's rows", async () => {
    const physical = { STRING: "BYTE_ARRAY", INT32: "INT32", DOUBLE: "DOUBLE", BOOLEAN: "BOOLEAN" } as const;
    const json = (x: unknown) => JSON.parse(JSON.stringify(x, (_, v) => (typeof v === "bigint" ? Number(v) : v)));
    for (const [table, columns] of Object.entries(TABLES)) {
      const rows: Record<string, unknown>[] = [];
      for (const folder of await readdir(path.join(dir, table)))
        for (const name of await readdir(path.join(dir, table, folder))) {
          const file = await asyncBufferFromFile(path.join(dir, table, folder, name));
          const metadata = await parquetMetadataAsync(file);
          expect(metadata.key_value_metadata).toEqual([
            { key: "facet.snapshot_id", value: TEST_SNAPSHOT.id },
            { key: "facet.snapshot_checksum", value: TEST_SNAPSHOT.checksum },
          ]);
          // top-level columns: name, nullability, physical type (lists: their element's)
          const top = metadata.schema.filter((e, i) => i > 0 && e.name !== "list" && e.name !== "element");
          expect(top.map((e) => [e.name, e.repetition_type])).toEqual(
            columns.map((c) => [c.name, c.nullable ? "OPTIONAL" : "REQUIRED"]),
          );
          for (const c of columns) {
            const at = metadata.schema.findIndex((e) => e.name === c.name);
            const leaf = c.type.endsWith("_LIST") ? metadata.schema[at + 2] : metadata.schema[at];
            expect(leaf?.type, `${table}.${c.name}`).toBe(
              physical[c.type.replace("_LIST", "") as keyof typeof physical],
            );
            if (c.type.startsWith("STRING")) expect(leaf?.converted_type).toBe("UTF8");
          }
          rows.push(...(await parquetReadObjects({ file })));
        }
      // every row as JSON text, in order (edges may repeat a pair of faces)
      const sorted = (xs: Record<string, unknown>[]) => xs.map((x) => JSON.stringify(json(x))).sort();
      expect(sorted(rows), table).toEqual(
        sorted(await duck(`select * from read_parquet('${dir}/${table}/*/*.parquet')`)),
      );
      if (table === "faces")
        for (const p of parts)
          expect(
            rows
              .filter((r) => r.part_id === p.partId)
              .sort((a, b) => Number(a.face_index) - Number(b.face_index))
              .map((r) => r.label),
            p.name,
          ).toEqual(p.document.labels);
    }
  });

  it("writes a dataset card declaring each table's splits, with class counts and the snapshot's checksum", async () => {
    const card = await readFile(path.join(dir, "README.md"), "utf8");
    const yaml = card.split("---")[1] as string;
    for (const table of ["parts", "faces", "instances", "edges"]) {
      expect(yaml).toContain(`- config_name: ${table}`);
      for (const split of ["train", "validation", "test"])
        expect(yaml).toContain(`  - split: ${split}\n    path: "${table}/${split}/*.parquet"`);
    }
    expect(card).toContain(TEST_SNAPSHOT.checksum);
    expect(card).toContain(`parts: ${parts.length}`);
    // 4 through-hole instances in test; stock faces of both train parts
    const stockTrain = parts
      .slice(0, 2)
      .flatMap((p) => p.document.labels)
      .filter((l) => l === "stock").length;
    const holes = parts[3]?.document.instances.filter((i) => i.feature === "through_hole") ?? [];
    const holeFaces = parts[3]?.document.labels.filter((l) => l === "through_hole").length;
    expect(card).toMatch(new RegExp(`\\| Stock \\(\`stock\`\\) \\| ${stockTrain} / 0 \\|`));
    expect(card).toMatch(
      new RegExp(`\\| Through hole \\(\`through_hole\`\\) \\| 0 / 0 \\| 0 / 0 \\| ${holeFaces} / ${holes.length} \\|`),
    );
    const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"));
    expect(manifest.snapshot).toMatchObject({ id: TEST_SNAPSHOT.id, checksum: TEST_SNAPSHOT.checksum });
    expect(manifest.parts.map((p: { blob_sha256: string }) => p.blob_sha256)).toEqual(parts.map((p) => p.blobSha256));
  });
});
