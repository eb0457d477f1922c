import { AppError, random } from "@facet/core";
import { FEATURE_VERSION, faceGraphFeatures, INPUT_COUNT, networkInputs } from "./features";
import type { LearnedModel } from "./model";
import type { LabelledPart } from "./types";

type TF = typeof import("@tensorflow/tfjs");
type Tensor2D = import("@tensorflow/tfjs").Tensor2D;
type Variable = import("@tensorflow/tfjs").Variable;
type Scalar = import("@tensorflow/tfjs").Scalar;

export interface TrainOptions {
  /** Same parts, same seed: the same model, bit for bit. */
  seed?: number;
  /** The classes to predict, in this order (the label schema's feature keys); labels outside it are ignored. */
  classes?: readonly string[];
  /** Called after each step: steps done of steps in all. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Widths of the hidden layers (default [128, 64]). */
  hidden?: readonly number[];
  /** Share of each hidden layer's inputs dropped at random while training (default DROPOUT). */
  dropout?: number;
  /** Gradient steps (default: enough passes over the data, see stepsFor). */
  steps?: number;
}

export interface Trained {
  model: LearnedModel;
  ms: number;
  parts: number;
  faces: number;
}

/** Faces per gradient step, and the hidden layers' widths. */
const BATCH = 256;
const HIDDEN = [128, 64];
const DROPOUT = 0;
const LEARNING_RATE = 0.01;

/**
 * Gradient steps: about 120,000 faces' worth (up to 400 passes over a few dozen parts), and over
 * thousands of parts no more than 20 passes (or 800 steps, when that is more).
 */
export function stepsFor(batches: number, faces: number): number {
  const epochs = Math.round(Math.min(400, Math.max(20, 120_000 / Math.max(faces, 1))));
  return Math.min(epochs * batches, Math.max(800, batches * 20));
}

let backend: Promise<TF> | null = null;

/**
 * TensorFlow.js on its WebAssembly backend (XNNPACK), loaded only when a model is trained: its
 * matrix products run about 30 times faster than the plain-JavaScript CPU backend's here (see
 * docs/decisions.md). Single-threaded in Node, so its sums come in a fixed order.
 */
async function tensorflow(): Promise<TF> {
  backend ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    // production mode: no "install tfjs-node" banner on stderr (it cannot install here), no debug checks
    tf.env().set("PROD", true);
    await import("@tensorflow/tfjs-backend-wasm");
    await tf.setBackend("wasm");
    await tf.ready();
    return tf;
  })();
  return backend;
}

/** Glorot-uniform weights from the seeded generator. */
function glorot(rows: number, cols: number, next: () => number) {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (next() * 2 - 1) * limit);
}

/**
 * Train the learned pre-labeler on labelled parts. Deterministic: the parts are taken in name order,
 * the weights drawn and the faces shuffled from `seed`, and the backend is single-threaded.
 */
export async function trainModel(parts: readonly LabelledPart[], options: TrainOptions = {}): Promise<Trained> {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const hidden = [...(options.hidden ?? HIDDEN)];
  const dropout = options.dropout ?? DROPOUT;
  const sorted = [...parts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // the classes: the schema's order, or the labels met, in order of first appearance
  const classes = options.classes
    ? [...options.classes]
    : [...new Set(sorted.flatMap((p) => p.labels.filter((l): l is string => l !== null)))];
  if (classes.length === 0) throw new AppError("VALIDATION_FAILED", "there are no labelled faces to learn from");
  const column = new Map(classes.map((c, i) => [c, i]));
  // the labelled faces' inputs, one row each
  const rows: Float32Array[] = [];
  const rowLabels: number[] = [];
  for (const p of sorted) {
    const g = faceGraphFeatures(p.input);
    if (p.labels.length !== g.faceCount) {
      throw new AppError("VALIDATION_FAILED", `${p.name}: ${p.labels.length} labels for ${g.faceCount} faces`);
    }
    const x = networkInputs(g);
    p.labels.forEach((l, i) => {
      const c = l === null ? undefined : column.get(l);
      if (c === undefined) return;
      rows.push(x.subarray(i * INPUT_COUNT, (i + 1) * INPUT_COUNT));
      rowLabels.push(c);
    });
  }
  const faces = rows.length;
  if (faces === 0) throw new AppError("VALIDATION_FAILED", "none of the faces carries one of the classes to learn");
  const C = classes.length;
  const counts = new Float64Array(C);
  for (const l of rowLabels) counts[l] = (counts[l] as number) + 1;
  // rare classes weigh more (square root of the inverse frequency, mean 1 over the faces)
  const raw = Array.from(counts, (c) => (c > 0 ? Math.sqrt(faces / c) : 0));
  const norm = raw.reduce((a, w, c) => a + w * (counts[c] as number), 0) / faces;
  const classWeight = Float32Array.from(raw, (w) => w / norm);

  // inputs scaled by their mean and spread over the training faces
  const mean = new Float32Array(INPUT_COUNT);
  const std = new Float32Array(INPUT_COUNT);
  for (let k = 0; k < INPUT_COUNT; k++) {
    let s = 0;
    let s2 = 0;
    for (const r of rows) {
      const v = r[k] as number;
      s += v;
      s2 += v * v;
    }
    const m = s / faces;
    mean[k] = m;
    const sd = Math.sqrt(Math.max(0, s2 / faces - m * m));
    std[k] = sd > 1e-6 ? sd : 1;
  }
  const x = new Float32Array(faces * INPUT_COUNT);
  rows.forEach((r, i) => {
    for (let k = 0; k < INPUT_COUNT; k++)
      x[i * INPUT_COUNT + k] = ((r[k] as number) - (mean[k] as number)) / (std[k] as number);
  });

  const next = random(seed);
  const size = [INPUT_COUNT, ...hidden, C];
  const init = size.slice(1).map((out, l) => ({ w: glorot(size[l] as number, out, next), b: new Float32Array(out) }));
  const batch = Math.min(BATCH, faces);
  const batchesPerEpoch = Math.ceil(faces / batch);
  const steps = options.steps ?? stepsFor(batchesPerEpoch, faces);

  const tf = await tensorflow();
  const vars = init.map((l, i) => ({
    w: tf.variable(tf.tensor2d(l.w, [size[i] as number, size[i + 1] as number])),
    b: tf.variable(tf.tensor1d(l.b)),
  }));
  const all: Variable[] = vars.flatMap((v) => [v.w, v.b]);
  const xs = tf.tensor2d(x, [faces, INPUT_COUNT]);
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from(rowLabels), "int32"), C);
  const ws = tf.tensor1d(Float32Array.from(rowLabels, (l) => classWeight[l] as number));
  const optimizer = tf.train.adam(LEARNING_RATE);
  const order = Int32Array.from({ length: faces }, (_, i) => i);
  try {
    for (let step = 0; step < steps; step++) {
      if (options.signal?.aborted) throw new AppError("UNAVAILABLE", "training was cancelled");
      const at = (step % batchesPerEpoch) * batch;
      if (at === 0) {
        for (let i = faces - 1; i > 0; i--) {
          const j = Math.floor(next() * (i + 1));
          const t = order[i] as number;
          order[i] = order[j] as number;
          order[j] = t;
        }
      }
      const pick = tf.tensor1d(order.subarray(at, Math.min(faces, at + batch)), "int32");
      optimizer.minimize(
        () => {
          let h = tf.gather(xs, pick) as Tensor2D;
          vars.forEach((v, l) => {
            if (dropout > 0) h = tf.dropout(h, dropout, undefined, seed * 7919 + step * 31 + l) as Tensor2D;
            h = tf.add(tf.matMul(h, v.w), v.b) as Tensor2D;
            if (l < vars.length - 1) h = tf.relu(h);
          });
          return tf.losses.softmaxCrossEntropy(tf.gather(ys, pick), h, tf.gather(ws, pick)) as Scalar;
        },
        false,
        all,
      );
      pick.dispose();
      options.onProgress?.(step + 1, steps);
      // let the event loop breathe (progress reports, cancellation) now and then
      if (step % 5 === 4) await new Promise((r) => setImmediate(r));
    }
    const weights = vars.map((v) => ({
      w: Float32Array.from(v.w.dataSync() as Float32Array),
      b: Float32Array.from(v.b.dataSync() as Float32Array),
    }));
    return {
      model: {
        featureVersion: FEATURE_VERSION,
        classes,
        hidden,
        seed,
        trainedOn: { parts: sorted.length, faces },
        mean,
        std,
        weights,
      },
      ms: Math.round(performance.now() - started),
      parts: sorted.length,
      faces,
    };
  } finally {
    optimizer.dispose();
    tf.dispose([...all, xs, ys, ws]);
  }
}
