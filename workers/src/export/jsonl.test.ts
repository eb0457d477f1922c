import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { afterAll, expect, it } from "vitest";
import { writeExport } from "./index";
import { archiveFolder, corpusPart, duck, each, TEST_SNAPSHOT } from "./testing";

let dir = "";
afterAll(() => rm(path.dirname(dir), { recursive: true, force: true }));

it("writes one JSON Lines file per split, a line per part with every face's label and the instances", async () => {
  const parts = [
    await corpusPart("mfcad/0-0-0-0-0-23.step", "train"),
    await corpusPart("mfcad/6-9-9-19.step", "train"),
    await corpusPart("aagnet/dataset_test.step", null),
  ];
  ({ dir } = await archiveFolder((sink) =>
    writeExport({ snapshot: { ...TEST_SNAPSHOT, partCount: 3 }, taxonomy: DEFAULT_TAXONOMY, sink }, each(parts), {
      format: "jsonl",
      includeMeshes: false,
    }).then(() => {}),
  ));
  expect((await readdir(path.join(dir, "jsonl"))).sort()).toEqual(["train.jsonl", "unassigned.jsonl"]);
  const train = (await readFile(path.join(dir, "jsonl/train.jsonl"), "utf8"))
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(train.map((r) => [r.part_id, r.name, r.blob_sha256, r.split])).toEqual(
    parts.slice(0, 2).map((p) => [p.partId, p.name, p.blobSha256, "train"]),
  );
  expect(train.map((r) => r.labels)).toEqual(parts.slice(0, 2).map((p) => p.document.labels));
  const [aag] = (await readFile(path.join(dir, "jsonl/unassigned.jsonl"), "utf8"))
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(aag.instances.map((i: { faces: number[]; bottom_faces: number[] }) => [i.faces, i.bottom_faces])).toEqual(
    parts[2]?.document.instances.map((i) => [i.faces, i.bottomFaces ?? []]),
  );
  // an independent reader: DuckDB's JSON reader sees the same rows
  const rows = await duck(
    `select name, len(labels)::int as n from read_json_auto('${dir}/jsonl/*.jsonl') order by name`,
  );
  expect(rows).toEqual(
    parts.map((p) => ({ name: p.name, n: p.faceCount })).sort((a, b) => a.name.localeCompare(b.name)),
  );
  expect(await readFile(path.join(dir, "README.md"), "utf8")).toContain("| unassigned | 1 |");
}, 60_000);
