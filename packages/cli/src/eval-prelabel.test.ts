import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { facet } from "./testing";

/** `facet eval-prelabel` as a person runs it: no server, a folder of labelled MFCAD parts. */
const MFCAD = path.join(CORPUS, "mfcad");

describe("facet eval-prelabel --format mfcad", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "facet-eval-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("scores the built-in recogniser on the MFCAD corpus: at least 0.85 per face, no crash", async () => {
    const r = await facet(["eval-prelabel", "--format", "mfcad", MFCAD, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.parts).toBe(60);
    expect(e.crashed).toBe(0);
    expect(e.faces).toBe(1393);
    expect(e.faceAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(e.model.id).toBe("facet-rules");
    // all sixteen MFCAD classes are scored, and the matrix agrees with the per-class counts
    expect(Object.keys(e.perClass)).toHaveLength(16);
    for (const [c, s] of Object.entries<{ support: number; precision: number; recall: number; iou: number }>(
      e.perClass,
    )) {
      const i = e.confusion.classes.indexOf(c);
      expect(e.confusion.matrix[i].reduce((a: number, b: number) => a + b, 0)).toBe(s.support);
      for (const v of [s.precision, s.recall, s.iou]) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(e.perClass.stock.support).toBe(393);
    expect(e.seconds.prelabel).toBeGreaterThan(0);
  }, 180_000);

  it("prints a table, a confusion matrix and the failures; a broken part is reported, not fatal", async () => {
    for (const name of ["0-0-0-0-0-23", "0-1-2-3-19"]) {
      for (const ext of [".step", ".face_truth"])
        await copyFile(path.join(MFCAD, name + ext), path.join(dir, name + ext));
    }
    await writeFile(path.join(dir, "broken.step"), "ISO-10303-21;\nthis is not a part\n");
    await copyFile(path.join(MFCAD, "0-1-2-3-19.face_truth"), path.join(dir, "broken.face_truth"));
    // a label file for another part: its face ids do not fit
    await copyFile(path.join(MFCAD, "0-0-0-0-0-23.step"), path.join(dir, "mismatched.step"));
    await writeFile(
      path.join(dir, "mismatched.face_truth"),
      Buffer.from([0x80, 0x02, 0x5d, 0x71, 0x00, 0x4b, 0x0f, 0x61, 0x2e]),
    );
    const r = await facet(["eval-prelabel", "--format", "mfcad", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/on 4 part\(s\), \d+ face\(s\): face accuracy [\d.]+%, mean IoU [\d.]+%, 2 crashed/);
    expect(r.stdout).toContain("confusion (rows: truth, columns: predicted)");
    expect(r.stdout).toMatch(/^six_sided_passage +\d+ +[\d.]+% +[\d.]+% +[\d.]+%$/m);
    expect(r.stdout).toMatch(/✗ broken: .*STEP/);
    expect(r.stdout).toMatch(/✗ mismatched: \d+ of \d+ faces have no label/);
  }, 120_000);

  it("refuses other formats and folders without labelled parts, with a clear error", async () => {
    const format = await facet(["eval-prelabel", "--format", "fusion", MFCAD, "--json"]);
    expect(format.code).toBe(2);
    expect(JSON.parse(format.stdout)).toEqual({
      error: { code: "USAGE", message: "--format mfcad is the format supported" },
    });
    const empty = await mkdtemp(path.join(os.tmpdir(), "facet-eval-empty-"));
    const none = await facet(["eval-prelabel", "--format", "mfcad", empty, "--json"]);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout).error.message).toMatch(/holds no <name>\.step with a <name>\.face_truth/);
    const missing = await facet(["eval-prelabel", "--format", "mfcad", path.join(empty, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the folder/);
    await rm(empty, { recursive: true, force: true });
  }, 60_000); // three CLI processes: beyond the 5 s default on a busy machine
});
