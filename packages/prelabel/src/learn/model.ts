import { z } from "zod";
import { PrelabelError } from "../types";
import { type FaceGraphFeatures, FEATURE_VERSION, INPUT_COUNT, networkInputs } from "./features";

/**
 * The learned pre-labeler's network: a few dense layers over each face's inputs, which hold the
 * face's own numbers and its neighbourhood's (networkInputs in features.ts), then a softmax over
 * the classes. Training (train.ts) runs on TensorFlow.js; this file is the same arithmetic in plain
 * TypeScript, so predicting needs no ML library (the worker, the web server and the CLI predict
 * with it) and is cheap beside the geometry.
 */
export interface LearnedModel {
  readonly featureVersion: number;
  /** The feature keys it predicts, in output order. */
  readonly classes: readonly string[];
  /** Widths of the hidden layers. */
  readonly hidden: readonly number[];
  readonly seed: number;
  readonly trainedOn: { parts: number; faces: number };
  /** Per input: mean and standard deviation over the training faces. */
  readonly mean: Float32Array;
  readonly std: Float32Array;
  /** Per layer (the hidden ones, then the output): weights (inputs × outputs, row-major) and bias. */
  readonly weights: readonly { w: Float32Array; b: Float32Array }[];
}

/** x (rows × inner) · w (inner × cols) + b, into a new array. */
export function matMulAdd(
  x: Float32Array,
  rows: number,
  inner: number,
  w: Float32Array,
  cols: number,
  b?: Float32Array,
) {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (b) out.set(b, o);
    for (let k = 0; k < inner; k++) {
      const v = x[r * inner + k] as number;
      if (v === 0) continue;
      const wk = k * cols;
      for (let c = 0; c < cols; c++) out[o + c] = (out[o + c] as number) + v * (w[wk + c] as number);
    }
  }
  return out;
}

/** The layer widths from the input to the output. */
const widths = (m: { hidden: readonly number[]; classes: readonly string[] }) => [
  INPUT_COUNT,
  ...m.hidden,
  m.classes.length,
];

/** Each face's probabilities over the model's classes (rows of `classes.length`). */
export function forward(model: LearnedModel, g: FaceGraphFeatures): Float32Array {
  const n = g.faceCount;
  let x = networkInputs(g);
  for (let j = 0; j < x.length; j++) {
    const k = j % INPUT_COUNT;
    x[j] = ((x[j] as number) - (model.mean[k] as number)) / (model.std[k] as number);
  }
  const size = widths(model);
  model.weights.forEach((layer, l) => {
    x = matMulAdd(x, n, size[l] as number, layer.w, size[l + 1] as number, layer.b);
    if (l < model.weights.length - 1) for (let j = 0; j < x.length; j++) if ((x[j] as number) < 0) x[j] = 0;
  });
  const C = model.classes.length;
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * C, (i + 1) * C);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (let c = 0; c < C; c++) {
      row[c] = Math.exp((row[c] as number) - max);
      sum += row[c] as number;
    }
    for (let c = 0; c < C; c++) row[c] = (row[c] as number) / sum;
  }
  return x;
}

const MAGIC = "FACETLM1";
const headerSchema = z.strictObject({
  format: z.literal("facet-learned-prelabel"),
  featureVersion: z.number().int().positive(),
  featureCount: z.number().int().positive(),
  classes: z.array(z.string().min(1).max(200)).min(1).max(1000),
  hidden: z.array(z.number().int().min(1).max(4096)).max(8),
  seed: z.number().int(),
  trainedOn: z.strictObject({ parts: z.number().int().nonnegative(), faces: z.number().int().nonnegative() }),
  floats: z.number().int().positive(),
  checksum: z.string().regex(/^[0-9a-f]{8}$/),
});

/** FNV-1a over the bytes: a corrupted weight changes it. */
function checksum(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/**
 * The model file: "FACETLM1", a 4-byte little-endian header length, the JSON header, then every
 * weight as float32 little-endian. The same model gives the same bytes, so its SHA-256 names it.
 */
export function encodeModel(model: LearnedModel): Uint8Array {
  const parts = [model.mean, model.std, ...model.weights.flatMap((l) => [l.w, l.b])];
  const floats = parts.reduce((n, p) => n + p.length, 0);
  const body = new Uint8Array(floats * 4);
  const view = new DataView(body.buffer);
  let at = 0;
  for (const p of parts) for (const v of p) view.setFloat32(at++ * 4, v, true);
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: "facet-learned-prelabel",
      featureVersion: model.featureVersion,
      featureCount: INPUT_COUNT,
      classes: model.classes,
      hidden: model.hidden,
      seed: model.seed,
      trainedOn: model.trainedOn,
      floats,
      checksum: checksum(body),
    }),
  );
  const out = new Uint8Array(MAGIC.length + 4 + header.length + body.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  out.set(body, MAGIC.length + 4 + header.length);
  return out;
}

const refuse = (why: string) => new PrelabelError("INVALID_INPUT", `not a usable model file: ${why}`);

/** A model file read back; anything corrupt, truncated or made for other features is refused. */
export function decodeModel(bytes: Uint8Array): LearnedModel {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.length < MAGIC.length + 4 || magic !== MAGIC) throw refuse("it does not start with FACETLM1");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4 + headerLength;
  if (start > bytes.length) throw refuse("its header is cut short");
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, start))));
  } catch {
    throw refuse("its header is not valid");
  }
  if (header.featureVersion !== FEATURE_VERSION || header.featureCount !== INPUT_COUNT) {
    throw refuse(
      `it was trained on features v${header.featureVersion} (${header.featureCount} inputs); this Facet computes v${FEATURE_VERSION} (${INPUT_COUNT} inputs)`,
    );
  }
  const size = widths(header);
  const expected = 2 * INPUT_COUNT + size.slice(1).reduce((n, out, l) => n + ((size[l] as number) + 1) * out, 0);
  if (header.floats !== expected || bytes.length - start !== expected * 4) {
    throw refuse(`it holds ${bytes.length - start} bytes of weights; ${expected * 4} were expected`);
  }
  const body = bytes.slice(start);
  if (checksum(body) !== header.checksum) throw refuse("its weights do not match their checksum");
  const all = new Float32Array(expected);
  const bodyView = new DataView(body.buffer);
  for (let i = 0; i < expected; i++) {
    const v = bodyView.getFloat32(i * 4, true);
    if (!Number.isFinite(v)) throw refuse("a weight is not a finite number");
    all[i] = v;
  }
  let at = 0;
  const take = (length: number) => {
    at += length;
    return all.slice(at - length, at);
  };
  const mean = take(INPUT_COUNT);
  const std = take(INPUT_COUNT);
  if (std.some((sd) => !(sd > 0))) throw refuse("an input's scale is not positive");
  const weights = size.slice(1).map((out, l) => ({ w: take((size[l] as number) * out), b: take(out) }));
  return {
    featureVersion: header.featureVersion,
    classes: header.classes,
    hidden: header.hidden,
    seed: header.seed,
    trainedOn: header.trainedOn,
    mean,
    std,
    weights,
  };
}
