import { describe, expect, it } from "vitest";
import { blobKey } from "../content-address";
import { classifyStorageKey, modelKey } from "./storage-keys";

const sha = "ab".repeat(32);
const id = "3f1c2a9e-0b7d-4c55-9a10-6f2e8d4b7c21";

describe("classifyStorageKey", () => {
  it("reads every key scheme of the store", () => {
    expect(classifyStorageKey(blobKey(sha))).toEqual({ kind: "blob", sha256: sha });
    expect(classifyStorageKey(`derived/geometry/${sha}/occt-7.6.3+1/p0a1/faces.json`)).toEqual({
      kind: "derived",
      sha256: sha,
      folder: `derived/geometry/${sha}/occt-7.6.3+1/p0a1`,
    });
    expect(classifyStorageKey(`snapshots/${id}/manifest.json`)).toEqual({ kind: "snapshot", id });
    expect(classifyStorageKey(`exports/${id}/parquet.zip`)).toEqual({ kind: "export", id });
    expect(classifyStorageKey(`uploads/${id}/${sha}`)).toEqual({ kind: "upload" });
    expect(classifyStorageKey(modelKey(sha))).toEqual({ kind: "model", sha256: sha });
  });

  it("treats anything it does not recognise exactly as other (gc never touches it)", () => {
    for (const key of [
      `blobs/sha256/cd/ab/${sha}`, // fan-out folders that are not the hash's
      `blobs/sha256/ab/ab/${sha}.sha256`,
      `blobs/sha256/ab/ab/${sha.toUpperCase()}`,
      `derived/geometry/${sha}/v/faces.json`, // too shallow
      `derived/geometry/${sha}/v/p/extra/faces.json`, // too deep
      `snapshots/not-an-id/manifest.json`,
      `exports/${id}/nested/x.zip`,
      `models/${sha}.bin`,
      `models/${sha.toUpperCase()}`,
      `models/x/${sha}`,
      "README",
      "",
    ])
      expect(classifyStorageKey(key), key).toEqual({ kind: "other" });
  });
});
