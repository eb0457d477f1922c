import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { modelKey } from "@facet/core";
import { decodeModel, encodeModel, type LearnedModel } from "@facet/prelabel";
import type { BlobStore } from "@facet/storage";

/**
 * A learned pre-labeler's model file in the blob store: content-addressed (`models/<sha256>` of its
 * bytes, encodeModel's deterministic encoding), written once, read back verified. Decoded models are
 * kept per worker process by hash: a file never changes under its name.
 */

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Store a model's file (nothing is written when it is there already); its hash and size. */
export async function storeModelFile(
  store: BlobStore,
  model: LearnedModel,
): Promise<{ sha256: string; sizeBytes: number }> {
  const bytes = encodeModel(model);
  const hash = sha256(bytes);
  const key = modelKey(hash);
  const head = await store.head(key);
  if (head?.size !== bytes.byteLength) {
    await store.put(key, Readable.from([Buffer.from(bytes)]), { size: bytes.byteLength, sha256: hash });
  }
  return { sha256: hash, sizeBytes: bytes.byteLength };
}

/** A model file that cannot be used: its bytes are not what its name says, or they do not decode. */
export class UnusableModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableModelError";
  }
}

const CACHED = 16;
const decoded = new Map<string, LearnedModel>();

/**
 * The model stored under this hash, decoded (cached by hash in this process). Throws
 * UnusableModelError when the file's bytes do not hash to its name or do not decode; other errors
 * (the store unreachable) pass through as they are.
 */
export async function loadModelFile(store: BlobStore, hash: string): Promise<LearnedModel> {
  const hit = decoded.get(hash);
  if (hit) {
    // most recently used last: the oldest is dropped first
    decoded.delete(hash);
    decoded.set(hash, hit);
    return hit;
  }
  const bytes = await store.read(modelKey(hash));
  const actual = sha256(bytes);
  if (actual !== hash) {
    throw new UnusableModelError(
      `the model file is not the one trained: its bytes hash to ${actual.slice(0, 12)}…, not ${hash.slice(0, 12)}…`,
    );
  }
  let model: LearnedModel;
  try {
    model = decodeModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new UnusableModelError(`the model file cannot be read: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
  }
  decoded.set(hash, model);
  if (decoded.size > CACHED) decoded.delete(decoded.keys().next().value as string);
  return model;
}

/** Forget decoded models (tests that change a stored file under the same name). */
export function forgetDecodedModels(): void {
  decoded.clear();
}
