import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { modelKey } from "@facet/core";
import { CORPUS } from "@facet/geometry/testing";
import { createRulePrelabeler, encodeModel, inputFromFacesDocument, trainModel } from "@facet/prelabel";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { facesOfStep, predictWith } from "./predict.server";

vi.mock("server-only", () => ({})); // (hoisted above the imports) a plain Node test may load server modules

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const TRAIN = ["0-0-0-0-0-23", "0-0-10-10-12-23", "0-0-4-11-13-23"];

/**
 * The web app's own predictions: the geometry kernel loaded from its folder at run time (not bundled),
 * a STEP file tessellated, a learned model file read back from a real blob store by its hash.
 */
describe("predictions in the web process", () => {
  let root: string;
  let store: FsBlobStore;
  let file: { key: string; sha256: string; version: string };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "facet-predict-store-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3000", secret: "x".repeat(32) });
    // a small model trained on three parts labelled by the rules (few steps: this tests the plumbing, not accuracy)
    const parts = [];
    for (const stem of TRAIN) {
      const { document } = await facesOfStep(
        new Uint8Array(await readFile(path.join(CORPUS, "mfcad", `${stem}.step`))),
      );
      const input = inputFromFacesDocument(document);
      const r = await createRulePrelabeler().predict(input);
      const labels = r.probabilities.map((row) => r.classes[row.indexOf(Math.max(...row))] ?? null);
      parts.push({ name: stem, input, labels });
    }
    const { model } = await trainModel(parts, { seed: 1, steps: 20 });
    const bytes = encodeModel(model);
    file = { key: modelKey(sha256(bytes)), sha256: sha256(bytes), version: `v1-${sha256(bytes).slice(0, 8)}` };
    await store.put(file.key, Readable.from([Buffer.from(bytes)]), { size: bytes.byteLength, sha256: file.sha256 });
  }, 240_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("tessellates a STEP file and labels every face with the model version named", async () => {
    const bytes = new Uint8Array(await readFile(path.join(CORPUS, "mfcad/0-1-2-3-19.step")));
    const { document, ms } = await facesOfStep(bytes);
    expect(document.faceCount).toBeGreaterThan(0);
    const answer = await predictWith(store, file, document, ms);
    expect(answer.model).toEqual({ id: "facet-learned", version: file.version });
    expect(answer.faces).toHaveLength(document.faceCount);
    expect(answer.faceSignature).toBe(document.signature);
    for (const f of answer.faces) {
      expect(answer.classes).toContain(f.label);
      expect(f.confidence).toBeGreaterThan(0);
      expect(f.confidence).toBeLessThanOrEqual(1);
    }
    // the same file again: the same answer (the model is decoded once, the kernel loaded once)
    const again = await predictWith(store, file, (await facesOfStep(bytes)).document, null);
    expect(again.faces).toEqual(answer.faces);
  });

  it("refuses a file that is not STEP geometry, saying why", async () => {
    const junk = new TextEncoder().encode("ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n");
    await expect(facesOfStep(junk)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("refuses a model file whose bytes no longer match its hash, and one that is not a model", async () => {
    const { document } = await facesOfStep(new Uint8Array(await readFile(path.join(CORPUS, "mfcad/0-1-2-3-19.step"))));
    // a model file stored under its hash, then changed on disk (a flipped byte)
    const bytes = Buffer.from(await store.read(file.key));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    const damaged = { key: modelKey(sha256(bytes)), sha256: sha256(bytes), version: "v2-damaged" };
    await store.put(damaged.key, Readable.from([bytes]), { size: bytes.byteLength, sha256: damaged.sha256 });
    bytes[0] = (bytes[0] as number) ^ 0xff;
    await writeFile(path.join(root, damaged.key), bytes);
    await expect(predictWith(store, damaged, document, null)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("damaged"),
    });
    const foreign = Buffer.from("not a model at all");
    const key = modelKey(sha256(foreign));
    await store.put(key, Readable.from([foreign]), { size: foreign.byteLength, sha256: sha256(foreign) });
    await expect(
      predictWith(store, { key, sha256: sha256(foreign), version: "v3-foreign" }, document, null),
    ).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("cannot be used") });
  });
});
