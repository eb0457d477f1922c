import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compareSnapshotParts, faceChangesByClass, type SnapshotPart, snapshotChecksumText } from "./snapshot";

const part = (id: string, over: Partial<SnapshotPart> = {}): SnapshotPart => ({
  partId: id,
  name: `part ${id.slice(0, 4)}`,
  blobSha256: "a".repeat(64),
  revisionId: "11111111-1111-4111-8111-111111111111",
  revisionNo: 2,
  faceSignature: "sig",
  faceCount: 3,
  schemaVersion: 1,
  documentSha256: "b".repeat(64),
  status: "approved",
  split: "train",
  ...over,
});
const A = "0a000000-0000-4000-8000-000000000000";
const B = "0b000000-0000-4000-8000-000000000000";
const C = "0c000000-0000-4000-8000-000000000000";

describe("snapshot manifest", () => {
  it("checksums parts in part-id order, whatever order they come in", () => {
    const text = snapshotChecksumText([part(B, { split: null }), part(A)]);
    expect(text).toBe(
      [
        `${A}\t${"a".repeat(64)}\t11111111-1111-4111-8111-111111111111\t${"b".repeat(64)}\tsig\ttrain`,
        `${B}\t${"a".repeat(64)}\t11111111-1111-4111-8111-111111111111\t${"b".repeat(64)}\tsig\t`,
      ].join("\n"),
    );
    const sum = (parts: SnapshotPart[]) => createHash("sha256").update(snapshotChecksumText(parts)).digest("hex");
    expect(sum([part(A), part(B)])).toBe(sum([part(B), part(A)]));
    expect(sum([part(A), part(B)])).not.toBe(sum([part(A), part(B, { documentSha256: "c".repeat(64) })]));
  });

  it("names every drift between manifest and database", () => {
    const r = compareSnapshotParts(
      [part(A), part(B)],
      [part(A, { documentSha256: "c".repeat(64), split: "test" }), part(C)],
    );
    expect(r.missingFromDatabase.map((p) => p.partId)).toEqual([B]);
    expect(r.missingFromManifest.map((p) => p.partId)).toEqual([C]);
    expect(r.differing).toEqual([
      {
        partId: A,
        name: "part 0a00",
        fields: [
          { field: "documentSha256", manifest: "b".repeat(64), database: "c".repeat(64) },
          { field: "split", manifest: "train", database: "test" },
        ],
      },
    ]);
  });

  it("counts faces gained and lost per class", () => {
    expect(faceChangesByClass(["slot", "slot", null, "chamfer"], ["slot", "pocket", "pocket", "chamfer"])).toEqual({
      slot: { gained: 0, lost: 1 },
      pocket: { gained: 2, lost: 0 },
    });
  });
});
