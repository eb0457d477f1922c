/**
 * `npx pnpm bench:learn`: the learned pre-labeler against issue 20's targets, rules off.
 *  (a) MFCAD: trained on `../shared/corpus/mfcad` only, per-face accuracy on MFCAD parts it did not
 *      see (target ≥ 0.97). The corpus holds those 60 MFCAD parts and no others (AAGNet's parts use
 *      MFCAD++'s taxonomy), so this is 5-fold cross-validation over the 60, as the output says.
 *  (b) Fusion 360 Gallery segmentation, real designs: 5-fold cross-validation per-face accuracy on the
 *      samples in testdata/fusion360-seg (target ≥ 0.80; licence-restricted, absent from a fresh clone:
 *      then said and skipped).
 *  (c) Training on 1,000 approved parts (target under 2 minutes on this machine): the corpus parts
 *      repeated under new names up to 1,000, as the output says.
 *  (d) Inference per part as a share of the geometry job's time (target under 20%): the learned model's
 *      prediction against tessellating the same STEP file (`tessellateStep`, the job's kernel stage;
 *      the job also writes meshes and files, so the real share is smaller).
 * Prints figures and ratios; never fails on a number. FACET_BENCH_LEARN_PARTS changes the 1,000.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CORPUS } from "@facet/geometry/testing";
import { crossValidate, type LabelledPart, learnedPrelabeler, trainModel } from "@facet/prelabel";
import { loadLabelledParts } from "../src/commands/eval-prelabel";
import { machineLine } from "./platform";

const FUSION = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../testdata/fusion360-seg");
const PARTS = Number(process.env.FACET_BENCH_LEARN_PARTS ?? 1000);
const SEED = 0;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length === 0 ? Number.NaN : ((v[(v.length - 1) >> 1] as number) + (v[v.length >> 1] as number)) / 2;
};
const faces = (parts: readonly LabelledPart[]) => parts.reduce((n, p) => n + p.labels.length, 0);

async function crossValidation(title: string, parts: LabelledPart[], target: number) {
  const t0 = performance.now();
  const cv = await crossValidate(parts, { folds: 5, seed: SEED });
  const e = cv.evaluation;
  const chance = Math.max(...Object.values(e.perClass).map((c) => c.support)) / e.faces;
  console.log(
    `${title}: per-face accuracy ${pct(e.faceAccuracy)} (target ≥ ${pct(target)}: ${verdict(e.faceAccuracy >= target)}), mean IoU ${pct(e.meanIoU)}, most frequent class ${pct(chance)}; ${parts.length} parts, ${e.faces} faces; training ${s(cv.trainingMs)} over 5 folds, ${s(performance.now() - t0)} in all`,
  );
  const worst = Object.entries(e.perClass)
    .filter(([, c]) => c.support > 0)
    .sort((a, b) => (a[1].iou ?? 0) - (b[1].iou ?? 0))
    .slice(0, 4)
    .map(([k, c]) => `${k} IoU ${pct(c.iou ?? 0)} (${c.support} faces)`);
  console.log(`  weakest classes: ${worst.join(", ")}`);
  return cv;
}

async function main() {
  console.log(`bench:learn — ${machineLine()}`);
  const mfcad = await loadLabelledParts("mfcad", path.join(CORPUS, "mfcad"), true);
  console.log(
    `MFCAD corpus: ${mfcad.parts.length} parts, ${faces(mfcad.parts)} faces, tessellated in ${s(mfcad.tessellationMs)} (${mfcad.crashes.length} crashed)`,
  );

  console.log(
    "\n(a) trained only on ../shared/corpus/mfcad. No other MFCAD parts exist on this machine (the corpus holds these 60; AAGNet's parts are MFCAD++'s taxonomy), so: 5-fold cross-validation over the 60, each part predicted by a model that never saw it",
  );
  await crossValidation("MFCAD 5-fold", mfcad.parts, 0.97);

  console.log("\n(b) Fusion 360 Gallery segmentation, real designs, 5-fold cross-validation");
  const hasFusion = existsSync(FUSION);
  const fusion = hasFusion ? await loadLabelledParts("fusion360-seg", FUSION, true).catch(() => null) : null;
  if (!fusion || fusion.parts.length < 5) {
    console.log(`  skipped: no Fusion 360 Gallery samples in ${FUSION} (licence-restricted; see its README.md)`);
  } else {
    console.log(
      `  ${fusion.parts.length} designs, ${faces(fusion.parts)} faces, tessellated in ${s(fusion.tessellationMs)} (${fusion.crashes.length} crashed)`,
    );
    await crossValidation("Fusion 360 Gallery 5-fold", fusion.parts, 0.8);
  }

  console.log(
    `\n(c) training on ${PARTS} approved parts: the ${mfcad.parts.length} MFCAD corpus parts repeated under new names (the same geometry ${Math.ceil(PARTS / mfcad.parts.length)} times over), MFCAD's classes`,
  );
  const many: LabelledPart[] = Array.from({ length: PARTS }, (_, i) => {
    const p = mfcad.parts[i % mfcad.parts.length] as LabelledPart;
    return { ...p, name: `${p.name}#${Math.floor(i / mfcad.parts.length)}` };
  });
  const trained = await trainModel(many, { seed: SEED });
  console.log(
    `  ${trained.parts} parts, ${trained.faces} faces: trained in ${s(trained.ms)} (target under 120 s on 2 cores: ${verdict(trained.ms < 120_000)}; ${(trained.ms / 120_000).toFixed(2)}× the budget)`,
  );

  console.log("\n(d) inference per part against the geometry job's tessellation of the same file");
  const prelabeler = learnedPrelabeler(trained.model, "bench");
  const sets = [mfcad, ...(fusion && fusion.parts.length > 0 ? [fusion] : [])];
  for (const set of sets) {
    // tessellated again with a warm kernel, as in the long-lived geometry worker
    const again = await loadLabelledParts(
      set.format,
      set.format === "mfcad" ? path.join(CORPUS, "mfcad") : FUSION,
      true,
    );
    const perPart = again.tessellationMs / Math.max(1, again.parts.length);
    const shares: number[] = [];
    let inference = 0;
    for (const p of again.parts) await prelabeler.predict(p.input); // warm
    for (const [i, p] of again.parts.entries()) {
      const t0 = performance.now();
      await prelabeler.predict(p.input);
      const ms = performance.now() - t0;
      inference += ms;
      shares.push(ms / (again.partTessellationMs[i] as number));
    }
    const share = inference / again.tessellationMs;
    console.log(
      `  ${set.format}: ${again.parts.length} parts, inference ${(inference / again.parts.length).toFixed(1)} ms a part against tessellation ${perPart.toFixed(1)} ms a part: ${pct(share)} of the geometry time in all, median part ${pct(median(shares))} (target under 20%: ${verdict(share < 0.2)})`,
    );
  }
}

await main();
