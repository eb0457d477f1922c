import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_TAXONOMY, labelsByStepName } from "@facet/core";
import { tessellateStep } from "@facet/geometry";
import { CORPUS, kernelForNode } from "@facet/geometry/testing";
import { inputFromFacesDocument, type PrelabelInput } from "./types";

/** Helpers for tests on real corpus parts (Node only; not part of the package's main entry). */
export { CORPUS };

type Kernel = Awaited<ReturnType<typeof kernelForNode>>;
let kernel: Promise<Kernel> | null = null;

/** A corpus part (path under `../shared/corpus`) tessellated as the worker does, as a pre-labeler's input. */
export async function corpusInput(file: string): Promise<PrelabelInput> {
  kernel ??= kernelForNode();
  const { document } = tessellateStep(await kernel, readFileSync(path.join(CORPUS, file)));
  return inputFromFacesDocument(document);
}

const mfcadLabels = () =>
  JSON.parse(readFileSync(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<string, number[]>;
let labels: Record<string, number[]> | null = null;

/** An MFCAD part's true feature per face (joined through the STEP face names), with its input. */
export async function mfcadPart(name: string): Promise<{ input: PrelabelInput; truth: string[] }> {
  const input = await corpusInput(`mfcad/${name}.step`);
  labels ??= mfcadLabels();
  const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad;
  const truth = crosswalk ? labelsByStepName(crosswalk, input.faces, labels[name] ?? []) : [];
  const missing = truth.indexOf(null);
  if (missing >= 0 || truth.length === 0) throw new Error(`${name}: no label for face ${missing}`);
  return { input, truth: truth as string[] };
}

/** Feature classes an MFCAD file name lists (its last number is the generator's seed). */
export function mfcadFeaturesInName(name: string): string[] {
  const classes = DEFAULT_TAXONOMY.crosswalks.mfcad?.classes ?? [];
  return name
    .split("-")
    .slice(0, -1)
    .map((c) => classes[Number(c)]?.feature ?? "?");
}
