import "server-only";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { AppError } from "@facet/core";
import {
  type FacesDocument,
  type FacetOcctFactory,
  GeometryError,
  type GeometryKernel,
  loadKernel,
  tessellateStep,
} from "@facet/geometry";
import { decodeModel, inputFromFacesDocument, type LearnedModel, learnedPrelabeler } from "@facet/prelabel";
import type { BlobStore } from "@facet/storage";
import { type PredictionAnswer, predictionAnswer } from "./prediction";

/**
 * The folder of the geometry kernel (facet-occt.mjs and .wasm): beside FACET_OCCT_WASM when set, else
 * packages/geometry/wasm of the repository (the web app runs in apps/web, or from the repository's root).
 */
function kernelFolder(): string {
  const given = process.env.FACET_OCCT_WASM;
  const candidates = [
    ...(given ? [path.dirname(path.resolve(given))] : []),
    path.resolve("packages/geometry/wasm"),
    path.resolve("../../packages/geometry/wasm"),
  ];
  const found = candidates.find((d) => existsSync(path.join(d, "facet-occt.wasm")));
  if (!found) throw new AppError("UNAVAILABLE", "the geometry kernel is not installed here (set FACET_OCCT_WASM)");
  return found;
}

// One kernel per web process, loaded on the first STEP file (about a second, then warm). The glue is
// imported at run time from its folder, not bundled: it is emscripten's own ES module beside its wasm.
const holder = globalThis as unknown as { __facetKernel?: Promise<GeometryKernel> };

function kernel(): Promise<GeometryKernel> {
  holder.__facetKernel ??= (async () => {
    const folder = kernelFolder();
    const glue = pathToFileURL(path.join(folder, "facet-occt.mjs")).href;
    const { default: factory } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ glue)) as {
      default: FacetOcctFactory;
    };
    return loadKernel(factory, readFileSync(path.join(folder, "facet-occt.wasm")));
  })().catch((e) => {
    holder.__facetKernel = undefined;
    throw e;
  });
  return holder.__facetKernel;
}

/** A STEP file's faces document, tessellated in this process (GeometryError → a refusal that says why). */
export async function facesOfStep(bytes: Uint8Array): Promise<{ document: FacesDocument; ms: number }> {
  const k = await kernel();
  const started = performance.now();
  try {
    const { document } = tessellateStep(k, bytes);
    return { document, ms: Math.round(performance.now() - started) };
  } catch (e) {
    if (e instanceof GeometryError) throw new AppError("VALIDATION_FAILED", e.message);
    throw e;
  }
}

/** A stored part's faces document (faces.json in the blob store). */
export async function storedFaces(store: BlobStore, facesKey: string): Promise<FacesDocument> {
  return JSON.parse((await store.read(facesKey)).toString("utf8")) as FacesDocument;
}

// Decoded models by the sha256 of their file (content-addressed: a key never changes meaning).
const models = new Map<string, LearnedModel>();
const MODELS_KEPT = 8;

/** A learned model's file from the blob store, decoded (a corrupt file is refused, never used). */
async function learnedModel(store: BlobStore, file: { key: string; sha256: string }): Promise<LearnedModel> {
  const hit = models.get(file.sha256);
  if (hit) return hit;
  const bytes = await store.read(file.key);
  if (createHash("sha256").update(bytes).digest("hex") !== file.sha256) {
    throw new AppError("UNAVAILABLE", "the stored model file is damaged (its bytes do not match its hash)");
  }
  let model: LearnedModel;
  try {
    model = decodeModel(new Uint8Array(bytes));
  } catch (e) {
    throw new AppError("UNAVAILABLE", `the model file cannot be used: ${(e as Error).message}`);
  }
  if (models.size >= MODELS_KEPT) models.delete(models.keys().next().value as string);
  models.set(file.sha256, model);
  return model;
}

/** Run a learned model version on a part's faces document: per-face labels, instances, which model. */
export async function predictWith(
  store: BlobStore,
  file: { key: string; sha256: string; version: string },
  document: FacesDocument,
  tessellationMs: number | null,
): Promise<PredictionAnswer> {
  const model = await learnedModel(store, file);
  const input = inputFromFacesDocument(document);
  const started = performance.now();
  const result = await learnedPrelabeler(model, file.version).predict(input);
  return predictionAnswer(result, input, {
    tessellation: tessellationMs,
    prediction: Math.round(performance.now() - started),
  });
}
