/**
 * The dataset formats (MFCAD, MFInstSeg, labelled STEP) on real corpus parts, read back the way the
 * datasets' own readers and `facet import-labels` read them.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
// the parser `facet import-labels --format mfcad` reads face_truth files with
import {
  type AnnotationDocument,
  DEFAULT_TAXONOMY,
  labelsByStepName,
  pickleIntList,
  readPickledIntList,
} from "@facet/core";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExport } from "./index";
import { readMfinstseg } from "./mfinstseg";
import type { ExportFormat, ExportPart } from "./model";
import { advancedFaces, renameFaces, stepText } from "./step-names";
import { aagnetTruth, archiveFolder, corpusPart, each, facesOf, mfcadTruth, TEST_SNAPSHOT } from "./testing";

const MFCAD = DEFAULT_TAXONOMY.crosswalks.mfcad as NonNullable<typeof DEFAULT_TAXONOMY.crosswalks.mfcad>;
const MFCADPP = DEFAULT_TAXONOMY.crosswalks.mfcadpp as NonNullable<typeof DEFAULT_TAXONOMY.crosswalks.mfcadpp>;
const probeFaces = async (bytes: Uint8Array) => (await facesOf(bytes)).faces;

let parts: ExportPart[];
const dirs: string[] = [];
async function exportAs(format: ExportFormat, list: ExportPart[]) {
  const { dir } = await archiveFolder((sink) =>
    writeExport(
      {
        snapshot: { ...TEST_SNAPSHOT, partCount: list.length },
        taxonomy: DEFAULT_TAXONOMY,
        sink,
        step: async (p) => (p as ExportPart & { bytes: Buffer }).bytes,
        probeFaces,
      },
      each(list),
      { format, includeMeshes: false },
    ).then(() => {}),
  );
  dirs.push(path.dirname(dir));
  return dir;
}

/**
 * An MFCAD part whose shell lists its faces in reverse and whose faces have no names: Facet's face
 * order is then not the order of the entities in the file, and only the kernel can say which is which.
 */
async function blanked(p: ExportPart & { bytes: Buffer }): Promise<ExportPart & { bytes: Buffer }> {
  const reversed = stepText(p.bytes).replace(
    /CLOSED_SHELL\s*\(\s*'([^']*)'\s*,\s*\(([^)]*)\)/,
    (_, n, list: string) =>
      `CLOSED_SHELL('${n}',(${list
        .split(",")
        .map((x) => x.trim())
        .reverse()
        .join(",")})`,
  );
  const named = await facesOf(Buffer.from(reversed, "latin1"));
  const stem = p.name.replace(/\.step$/, "");
  const labels = labelsByStepName(MFCAD, named.faces, (await mfcadTruth())[stem] as number[]);
  const all = advancedFaces(reversed);
  const bytes = Buffer.from(renameFaces(reversed, all, new Map(all.map((f) => [f.id, ""]))), "latin1");
  const faces = await facesOf(bytes);
  expect(faces.faces.map((f) => f.area)).toEqual(named.faces.map((f) => f.area));
  // the point of this part: the file's entity order is not the face order
  expect(named.faces.map((f) => f.stepName)).not.toEqual(p.faces?.faces.map((f) => f.stepName));
  const document = { ...p.document, labels, faceSignature: faces.signature };
  return {
    ...p,
    partId: `${p.partId.slice(0, -4)}eeee`,
    name: "blanked.step",
    bytes,
    faces,
    faceSignature: faces.signature,
    document,
  };
}

/** The AAGNet part relabelled with MFCAD's classes only (planes stock, the rest chamfers): its faces have no names. */
function mfcadOnly(p: ExportPart): ExportPart {
  const labels = p.faces?.faces.map((f) => (f.surface === "plane" ? "stock" : "chamfer")) ?? [];
  const document: AnnotationDocument = { ...p.document, labels, instances: [] };
  return { ...p, partId: `${p.partId.slice(0, -4)}ffff`, name: "unnamed-faces.step", document };
}

beforeAll(async () => {
  parts = [
    await corpusPart("mfcad/0-0-0-0-0-23.step", "train"),
    await corpusPart("mfcad/2-3-3-8-11-23.step", "val"),
    await corpusPart("aagnet/dataset_test.step", "test"),
  ];
  parts.push(await blanked(parts[1] as ExportPart & { bytes: Buffer }));
}, 120_000);
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("MFCAD", () => {
  it("pickles face_truth byte for byte as MFCAD ships it", async () => {
    const truth = await mfcadTruth();
    for (const stem of ["0-0-0-0-0-23", "2-3-3-8-11-23", "1-11-14-19"]) {
      const shipped = await readFile(path.join(CORPUS, `mfcad/${stem}.face_truth`));
      expect(Buffer.from(pickleIntList(truth[stem] as number[])).equals(shipped), stem).toBe(true);
    }
    const long = Array.from({ length: 2501 }, (_, i) => i % 300);
    expect(readPickledIntList(pickleIntList(long))).toEqual(long);
  });

  it("reads back through import-labels' parser and the STEP names: the same labels; parts it cannot carry are named", async () => {
    const unnamed = mfcadOnly(parts[2] as ExportPart);
    const [a, b, aag, blank] = parts as [ExportPart, ExportPart, ExportPart, ExportPart];
    const dir = await exportAs("mfcad", [a, b, unnamed, aag, blank]);
    expect((await readdir(path.join(dir, "mfcad"))).sort()).toEqual([
      "0-0-0-0-0-23.face_truth",
      "0-0-0-0-0-23.step",
      "2-3-3-8-11-23.face_truth",
      "2-3-3-8-11-23.step",
      "blanked.face_truth",
      "blanked.step",
      "unnamed-faces.face_truth",
      "unnamed-faces.step",
    ]);
    for (const p of [a, b, unnamed, blank]) {
      const stem = p.name.replace(/\.step$/, "");
      const step = await readFile(path.join(dir, `mfcad/${stem}.step`));
      const classes = readPickledIntList(await readFile(path.join(dir, `mfcad/${stem}.face_truth`)));
      // what import-labels does: the faces of the part, joined to the classes by their STEP names
      const faces = await facesOf(step);
      expect(labelsByStepName(MFCAD, faces.faces, classes), p.name).toEqual(p.document.labels);
    }
    // MFCAD's own files travel unchanged: the dataset's parts are found again by their content
    expect(
      (await readFile(path.join(dir, "mfcad/0-0-0-0-0-23.step"))).equals((a as ExportPart & { bytes: Buffer }).bytes),
    ).toBe(true);
    expect(await readFile(path.join(dir, "splits/train.txt"), "utf8")).toBe("0-0-0-0-0-23\n");
    // the AAGNet part's through holes and rounds have no MFCAD class: named in the README, not dropped silently
    const readme = await readFile(path.join(dir, "README.md"), "utf8");
    expect(readme).toMatch(
      /\| dataset_test\.step \| [0-9a-f-]+ \| .*labelled through_hole, which MFCAD has no class for/,
    );
    const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"));
    expect(manifest.unrepresented.map((u: { name: string }) => u.name)).toEqual(["dataset_test.step"]);
  }, 120_000);
});

describe("MFInstSeg", () => {
  it("reads AAGNet's own label file as AAGNet's loader does", async () => {
    const json = await readFile(path.join(CORPUS, "aagnet/dataset_test.json"), "utf8");
    const r = readMfinstseg(json);
    expect(r.name).toBe("test");
    expect(r.instances.map((g) => g.join()).sort()).toEqual(
      [[2], [3, 14, 17], [5, 7, 9, 21], [8, 13, 15], [10], [16], [18], [19, 24], [20], [22], [23], [25], [26]]
        .map((g) => g.join())
        .sort(),
    );
  });

  it("writes the AAGNet part's labels back as AAGNet ships them: classes, instances, bottoms", async () => {
    const dir = await exportAs("mfinstseg", parts);
    const [, truth] = await aagnetTruth();
    const ours = readMfinstseg(await readFile(path.join(dir, "labels/dataset_test.json"), "utf8"));
    const theirs = readMfinstseg(JSON.stringify([["test", truth]]));
    expect(ours.classes).toEqual(theirs.classes);
    expect(ours.instances).toEqual(theirs.instances);
    expect(ours.bottom).toEqual(theirs.bottom);
    // MFCAD parts: MFCAD++ classes through the crosswalk, one class per face
    const mfcad = readMfinstseg(await readFile(path.join(dir, "labels/0-0-0-0-0-23.json"), "utf8"));
    expect(mfcad.classes.map((c) => MFCADPP.classes[c]?.feature)).toEqual(parts[0]?.document.labels);
    expect((await readdir(path.join(dir, "steps"))).sort()).toEqual([
      "0-0-0-0-0-23.step",
      "2-3-3-8-11-23.step",
      "blanked.step",
      "dataset_test.step",
    ]);
    expect(await readFile(path.join(dir, "MFInstseg_partition/val.txt"), "utf8")).toBe("2-3-3-8-11-23\nblanked\n");
  }, 120_000);
});

describe("STEP labelled in the face names (MFCAD++)", () => {
  it("names every ADVANCED_FACE by its class, changes nothing else, and reads back to the same labels", async () => {
    const dir = await exportAs("step", parts);
    for (const p of parts) {
      const stem = p.name.replace(/\.step$/, "");
      const bytes = await readFile(path.join(dir, `step/${stem}.step`));
      const faces = await facesOf(bytes);
      // read back as MFCAD++ files are read: the name is the class
      const identity = MFCADPP.classes.map((_, i) => i);
      expect(labelsByStepName(MFCADPP, faces.faces, identity), p.name).toEqual(p.document.labels);
      // the same faces in the same numbering
      expect(faces.faces.map((f) => [f.surface, f.area])).toEqual(p.faces?.faces.map((f) => [f.surface, f.area]));
      // nothing but the names changed
      const strip = (t: string) => t.replace(/ADVANCED_FACE\s*\(\s*'(?:[^']|'')*'/g, "ADVANCED_FACE(''");
      const original = (p as ExportPart & { bytes: Buffer }).bytes;
      expect(strip(stepText(bytes))).toBe(strip(stepText(original)));
      expect(advancedFaces(stepText(bytes)).every((f) => /^\d+$/.test(f.name ?? ""))).toBe(true);
    }
  }, 120_000);
});
