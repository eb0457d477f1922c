/**
 * What an object key of the blob store holds, read from the key alone (the key schemes of
 * content-address.ts, the tessellator, snapshots and exports). `facet gc` and `facet verify` decide
 * from this which database rows can refer to an object.
 */
export type StorageObject =
  /** A STEP file: `blobs/sha256/ab/cd/<sha>`. */
  | { kind: "blob"; sha256: string }
  /** A file derived from a blob: `derived/geometry/<sha>/<tessellator>/<params>/<file>`; `folder` ends at <params>. */
  | { kind: "derived"; sha256: string; folder: string }
  /** A snapshot's manifest: `snapshots/<snapshot id>/…`. */
  | { kind: "snapshot"; id: string }
  /** An export archive: `exports/<export id>/…`. */
  | { kind: "export"; id: string }
  /** A learned pre-labeler's model file, content-addressed: `models/<sha>` (prelabel_models.model_sha256). */
  | { kind: "model"; sha256: string }
  /** An upload being staged: `uploads/<workspace>/<sha>` (housekeeping removes them after a day). */
  | { kind: "upload" }
  /** Anything else (never touched by gc). */
  | { kind: "other" };

const SHA = "[0-9a-f]{64}";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const BLOB = new RegExp(`^blobs/sha256/([0-9a-f]{2})/([0-9a-f]{2})/(${SHA})$`);
const DERIVED = new RegExp(`^(derived/geometry/(${SHA})/[^/]+/[^/]+)/[^/]+$`);
const SNAPSHOT = new RegExp(`^snapshots/(${UUID})/[^/]+$`);
const EXPORT = new RegExp(`^exports/(${UUID})/[^/]+$`);
const MODEL = new RegExp(`^models/(${SHA})$`);

/** Where a learned pre-labeler's model file is stored: named by the sha256 of its bytes. */
export function modelKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("a model file is named by a sha256 (64 hex digits)");
  return `models/${sha256}`;
}

export function classifyStorageKey(key: string): StorageObject {
  const blob = BLOB.exec(key);
  if (blob) {
    const [, a, b, sha] = blob as unknown as [string, string, string, string];
    // the fan-out folders must be the hash's own first bytes: a misplaced copy is not the blob
    return sha.startsWith(a + b) ? { kind: "blob", sha256: sha } : { kind: "other" };
  }
  const derived = DERIVED.exec(key);
  if (derived) return { kind: "derived", sha256: derived[2] as string, folder: derived[1] as string };
  const snapshot = SNAPSHOT.exec(key);
  if (snapshot) return { kind: "snapshot", id: snapshot[1] as string };
  const exp = EXPORT.exec(key);
  if (exp) return { kind: "export", id: exp[1] as string };
  const model = MODEL.exec(key);
  if (model) return { kind: "model", sha256: model[1] as string };
  if (key.startsWith("uploads/")) return { kind: "upload" };
  return { kind: "other" };
}
