import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  DEFAULT_TAXONOMY,
  FUSION360_SEG_KEYS,
  fusion360SegLabels,
  labelsByStepName,
  readMfinstsegClasses,
  readPickledIntList,
} from "@facet/core";
import { type FacesDocument, tessellateStep } from "@facet/geometry";
import { loadGeometryKernel } from "@facet/geometry/node";
import {
  crossValidate,
  type EvaluatedPart,
  type Evaluation,
  encodeModel,
  evaluate,
  inputFromFacesDocument,
  type LabelledPart,
  LEARNED_MODEL_ID,
  learnedPrelabeler,
  RULE_CLASSES,
  RULES_MODEL,
  recognise,
  trainModel,
} from "@facet/prelabel";
import { CliError } from "../http";
import { Progress } from "../progress";

export const EVAL_FORMATS = ["mfcad", "fusion360-seg", "mfinstseg"] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

/** A labelled part found in a folder: its STEP file and its label file. */
interface Entry {
  name: string;
  step: string;
  labels: string;
}

/**
 * How a dataset lays out its parts and labels: which files pair up, and each face's label (a Facet
 * feature key, null = unlabelled) from the label file's bytes and the part's faces.
 */
interface Layout {
  /** Its classes as Facet feature keys, in the dataset's order (the confusion matrix's order). */
  classes: readonly string[];
  /** What a folder must hold, for the message when it holds none. */
  expects: string;
  entries(dir: string, files: string[]): Promise<Entry[]>;
  labels(bytes: Buffer, document: FacesDocument, name: string): (string | null)[];
}

const STEP = /\.(step|stp)$/i;
const stem = (file: string) => file.replace(STEP, "");

/** `<name>.step` (or `.stp`) with `<name><ext>` beside it. */
function pairsBeside(dir: string, files: string[], ext: string): Entry[] {
  const steps = new Map(files.filter((f) => STEP.test(f)).map((f) => [stem(f), f] as const));
  return files
    .filter((f) => f.endsWith(ext) && steps.has(f.slice(0, -ext.length)))
    .map((f) => f.slice(0, -ext.length))
    .sort()
    .map((name) => ({ name, step: path.join(dir, steps.get(name) as string), labels: path.join(dir, name + ext) }));
}

function crosswalk(name: "mfcad" | "mfcadpp") {
  const cw = DEFAULT_TAXONOMY.crosswalks[name];
  if (!cw) throw new CliError("INTERNAL", `the default taxonomy has no ${name} crosswalk`);
  return cw;
}

/** Feature keys of a crosswalk's classes, in its order, once each. */
const featuresOf = (name: "mfcad" | "mfcadpp") => [
  ...new Set(crosswalk(name).classes.flatMap((c) => (c.feature ? [c.feature] : []))),
];

const LAYOUTS: Record<EvalFormat, Layout> = {
  mfcad: {
    classes: featuresOf("mfcad"),
    expects: "<name>.step with a <name>.face_truth beside it",
    entries: async (dir, files) => pairsBeside(dir, files, ".face_truth"),
    labels(bytes, document, name) {
      const truth = labelsByStepName(crosswalk("mfcad"), document.faces, readPickledIntList(bytes));
      const missing = truth.filter((t) => t === null).length;
      if (missing > 0) throw new Error(`${missing} of ${truth.length} faces have no label in ${name}.face_truth`);
      return truth;
    },
  },
  "fusion360-seg": {
    classes: FUSION360_SEG_KEYS,
    expects: "<name>.stp with a <name>.seg beside it",
    entries: async (dir, files) => pairsBeside(dir, files, ".seg"),
    labels: (bytes, document) => fusion360SegLabels(bytes.toString("utf8"), document.faceCount),
  },
  mfinstseg: {
    classes: featuresOf("mfcadpp"),
    expects: "steps/<name>.step with labels/<name>.json (AAGNet's layout), or <name>.step with a <name>.json beside it",
    async entries(dir, files) {
      if (!files.includes("steps") || !files.includes("labels")) return pairsBeside(dir, files, ".json");
      const steps = (await readdir(path.join(dir, "steps"))).filter((f) => STEP.test(f));
      const labels = new Set(await readdir(path.join(dir, "labels")));
      return steps
        .filter((f) => labels.has(`${stem(f)}.json`))
        .map((f) => ({
          name: stem(f),
          step: path.join(dir, "steps", f),
          labels: path.join(dir, "labels", `${stem(f)}.json`),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    labels(bytes, document) {
      const { classes } = readMfinstsegClasses(bytes.toString("utf8"));
      if (classes.length !== document.faceCount)
        throw new Error(`${classes.length} labels for ${document.faceCount} faces`);
      const cw = crosswalk("mfcadpp");
      return classes.map((c) => cw.classes[c]?.feature ?? null);
    },
  },
};

export interface LoadedParts {
  format: EvalFormat;
  /** The parts that loaded: tessellated as the worker does, each face labelled. */
  parts: LabelledPart[];
  /** Labelled parts found in the folder (loaded or crashed). */
  found: number;
  /** Parts that could not be loaded (unreadable STEP, labels that do not fit its faces, a crash). */
  crashes: { name: string; message: string }[];
  /** Milliseconds spent tessellating, in all and for each loaded part (in `parts` order). */
  tessellationMs: number;
  partTessellationMs: number[];
}

/**
 * Every labelled part of a folder in one of the formats, tessellated as the worker does (one kernel,
 * `tessellateStep`, `inputFromFacesDocument`) with its truth per face; a part that fails is reported
 * with the reason and left out, never fatal. A progress bar on a terminal unless `quiet`.
 */
export async function loadLabelledParts(format: EvalFormat, dir: string, quiet = false): Promise<LoadedParts> {
  const layout = LAYOUTS[format];
  const files = await readdir(dir).catch(() => {
    throw new CliError("USAGE", `cannot read the folder ${dir}`);
  });
  const entries = await layout.entries(dir, files);
  if (entries.length === 0) throw new CliError("USAGE", `${dir} holds no ${layout.expects}`);
  const oc = await loadGeometryKernel();
  const progress = new Progress(`read ${path.basename(dir)}`, entries.length, process.stderr, !quiet);
  const parts: LabelledPart[] = [];
  const crashes: LoadedParts["crashes"] = [];
  const partTessellationMs: number[] = [];
  for (const [i, entry] of entries.entries()) {
    progress.update(i, entry.name);
    try {
      const labelBytes = await readFile(entry.labels);
      const bytes = await readFile(entry.step);
      const t0 = performance.now();
      const { document } = tessellateStep(oc, bytes);
      const ms = performance.now() - t0;
      const labels = layout.labels(labelBytes, document, entry.name);
      parts.push({ name: entry.name, input: inputFromFacesDocument(document), labels });
      partTessellationMs.push(ms);
    } catch (e) {
      crashes.push({ name: entry.name, message: (e as Error).message ?? String(e) });
    }
  }
  progress.done();
  const tessellationMs = partTessellationMs.reduce((a, b) => a + b, 0);
  return { format, parts, found: entries.length, crashes, tessellationMs, partTessellationMs };
}

export interface PrelabelEvaluation extends Evaluation {
  format: EvalFormat;
  model: { id: string; version: string };
  /** Parts that could not be evaluated (unreadable STEP, labels that do not fit its faces, a crash). */
  crashed: number;
  crashes: { name: string; message: string }[];
  /** With --learn: how the learned pre-labeler was trained and tested. */
  learning: {
    /** K of K-fold cross-validation by part, or null for a fixed split. */
    folds: number | null;
    /** The training folder of a fixed split. */
    trainOn: string | null;
    trainParts: number;
    trainFaces: number;
    seed: number;
    classes: string[];
  } | null;
  seconds: { total: number; tessellation: number; prelabel: number; training: number };
}

export interface EvalOptions {
  format: EvalFormat;
  dir: string;
  json: boolean;
  /** Evaluate the learned pre-labeler (rules off) instead of the rules. */
  learn?: { folds: number; trainOn: string | null; seed: number } | null;
}

const round = (ms: number) => Math.round(ms) / 1000;

const argmaxLabels = (classes: readonly string[], probabilities: readonly (readonly number[])[]) =>
  probabilities.map((row) => classes[row.indexOf(Math.max(...row))] ?? null);

/**
 * `facet eval-prelabel`: a pre-labeler on a folder of labelled parts, without a server. Without
 * `learn` the built-in rules (MFCAD's classes; refused for datasets whose classes they do not know);
 * with it the learned pre-labeler alone, by K-fold cross-validation over the folder's parts or
 * trained on another folder and tested on this one.
 */
export async function evalPrelabel(opts: EvalOptions): Promise<PrelabelEvaluation> {
  const started = performance.now();
  if (!opts.learn && opts.format !== "mfcad")
    throw new CliError(
      "USAGE",
      `the built-in rules know MFCAD's classes only, not ${opts.format}'s: evaluate the learned pre-labeler with --learn`,
    );
  const test = await loadLabelledParts(opts.format, opts.dir, opts.json);
  const base = { format: opts.format, crashed: test.crashes.length, crashes: test.crashes };
  if (!opts.learn) {
    const t0 = performance.now();
    const evaluated: EvaluatedPart[] = test.parts.map((p) => {
      const result = recognise(p.input);
      return { name: p.name, truth: p.labels, predicted: argmaxLabels(result.classes, result.probabilities) };
    });
    const prelabel = performance.now() - t0;
    return {
      ...base,
      model: { ...RULES_MODEL },
      ...evaluate(evaluated, [...RULE_CLASSES]),
      parts: test.found,
      learning: null,
      seconds: {
        total: round(performance.now() - started),
        tessellation: round(test.tessellationMs),
        prelabel: round(prelabel),
        training: 0,
      },
    };
  }
  const { folds, trainOn, seed } = opts.learn;
  const quiet = opts.json;
  if (trainOn === null) {
    if (test.parts.length < folds)
      throw new CliError(
        "USAGE",
        `${folds}-fold cross-validation needs at least ${folds} parts; ${test.parts.length} loaded`,
      );
    const progress = new Progress(`train ${folds} folds`, 1, process.stderr, !quiet);
    const t0 = performance.now();
    const cv = await crossValidate(test.parts, {
      folds,
      seed,
      onProgress: (done, total) => progress.update(done / total, `step ${done} of ${total}`),
    });
    progress.done();
    const wall = performance.now() - t0;
    const classes = cv.evaluation.confusion.classes;
    return {
      ...base,
      model: { id: LEARNED_MODEL_ID, version: `${folds}-fold cross-validation, seed ${seed}` },
      ...cv.evaluation,
      parts: test.found,
      learning: {
        folds,
        trainOn: null,
        // each part is in the training set of every fold but its own
        trainParts: test.parts.length,
        trainFaces: test.parts.reduce((n, p) => n + p.labels.length, 0),
        seed,
        classes,
      },
      seconds: {
        total: round(performance.now() - started),
        tessellation: round(test.tessellationMs),
        prelabel: round(wall - cv.trainingMs),
        training: round(cv.trainingMs),
      },
    };
  }
  const train = await loadLabelledParts(opts.format, trainOn, quiet);
  if (train.parts.length === 0)
    throw new CliError("USAGE", `no part of ${trainOn} could be read to train on (${train.crashes.length} crashed)`);
  const progress = new Progress("train", 1, process.stderr, !quiet);
  const trained = await trainModel(train.parts, {
    seed,
    onProgress: (done, total) => progress.update(done / total, `step ${done} of ${total}`),
  });
  progress.done();
  const version = `sha256:${createHash("sha256").update(encodeModel(trained.model)).digest("hex").slice(0, 12)}`;
  const prelabeler = learnedPrelabeler(trained.model, version);
  const t0 = performance.now();
  const evaluated: EvaluatedPart[] = [];
  for (const p of test.parts) {
    const result = await prelabeler.predict(p.input);
    evaluated.push({ name: p.name, truth: p.labels, predicted: argmaxLabels(result.classes, result.probabilities) });
  }
  const prelabel = performance.now() - t0;
  const classes = [...trained.model.classes];
  return {
    ...base,
    model: { id: LEARNED_MODEL_ID, version },
    ...evaluate(evaluated, classes),
    parts: test.found,
    crashed: test.crashes.length + train.crashes.length,
    crashes: [...train.crashes.map((c) => ({ ...c, name: `${trainOn}: ${c.name}` })), ...test.crashes],
    learning: { folds: null, trainOn, trainParts: trained.parts, trainFaces: trained.faces, seed, classes },
    seconds: {
      total: round(performance.now() - started),
      tessellation: round(test.tessellationMs + train.tessellationMs),
      prelabel: round(prelabel),
      training: round(trained.ms),
    },
  };
}

const pct = (x: number | null) => (x === null ? "   –  " : `${(x * 100).toFixed(1).padStart(5)}%`);

/** The evaluation as a person reads it: summary, per-class scores, confusion matrix, failures, times. */
export function describeEvaluation(e: PrelabelEvaluation): string {
  const lines = [
    `${e.model.id} ${e.model.version} on ${e.parts} part(s), ${e.faces} face(s): face accuracy ${pct(e.faceAccuracy).trim()}, mean IoU ${pct(e.meanIoU).trim()}, ${e.crashed} crashed`,
  ];
  const l = e.learning;
  if (l)
    lines.push(
      l.folds !== null
        ? `learned pre-labeler alone (rules off): ${l.folds}-fold cross-validation by part, each part predicted by the model trained on the other folds (${l.trainParts} parts, ${l.trainFaces} faces in all), seed ${l.seed}`
        : `learned pre-labeler alone (rules off): trained on ${l.trainOn} (${l.trainParts} parts, ${l.trainFaces} faces), tested on the parts here, seed ${l.seed}`,
    );
  lines.push(
    "",
    `${"class".padEnd(28)} ${"faces".padStart(6)} ${"precision".padStart(9)} ${"recall".padStart(7)} ${"IoU".padStart(7)}`,
  );
  for (const [c, s] of Object.entries(e.perClass)) {
    lines.push(
      `${c.padEnd(28)} ${String(s.support).padStart(6)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.iou).padStart(7)}`,
    );
  }
  // the matrix over classes that occur, numbered to keep it narrow
  const used = e.confusion.classes.map((c, i) => [c, i] as const).filter(([c]) => e.perClass[c]);
  lines.push("", "confusion (rows: truth, columns: predicted)");
  lines.push(`${"".padEnd(32)}${used.map((_, k) => String(k + 1).padStart(5)).join("")}`);
  used.forEach(([c, i], k) => {
    const row = used.map(([, j]) => String(e.confusion.matrix[i]?.[j] || ".").padStart(5)).join("");
    lines.push(`${String(k + 1).padStart(2)} ${c.padEnd(29)}${row}`);
  });
  if (e.failures.length > 0) {
    lines.push("", `parts with wrong faces (${e.failures.length}):`);
    for (const f of e.failures.slice(0, 20)) {
      const what = Object.entries(f.mistakes)
        .map(([k, n]) => `${k} ×${n}`)
        .join(", ");
      lines.push(`  ${f.name}: ${f.wrong} of ${f.faces} wrong (${what})`);
    }
  }
  for (const c of e.crashes) lines.push(`  ✗ ${c.name}: ${c.message}`);
  const s = e.seconds;
  lines.push(
    "",
    l
      ? `${s.total.toFixed(1)} s (tessellation ${s.tessellation.toFixed(1)} s, training ${s.training.toFixed(1)} s, predicting ${s.prelabel.toFixed(2)} s)`
      : `${s.total.toFixed(1)} s (tessellation ${s.tessellation.toFixed(1)} s, pre-labelling ${s.prelabel.toFixed(2)} s)`,
  );
  return lines.join("\n");
}
