import { describe, expect, it } from "vitest";
import { annotationDocumentSchema, MAX_FACES } from "./annotation";
import {
  changedFaces,
  diffCounts,
  faceDiff,
  mentionHandles,
  newCommentSchema,
  newShareLinkSchema,
  reviewInputSchema,
  reviewNoteSchema,
  shareTokenSchema,
  splitMentions,
  stepChange,
} from "./review";

describe("faceDiff", () => {
  it("names each face's change between a base and the labels under review", () => {
    const base = ["stock", "stock", null, "through_hole", "fillet"];
    const now = ["stock", "blind_hole", "chamfer", null, "fillet"];
    const diff = faceDiff(now, base);
    expect(diff).toEqual(["same", "changed", "added", "removed", "same"]);
    expect(changedFaces(diff)).toEqual([1, 2, 3]);
    expect(diffCounts(diff)).toEqual({ same: 2, changed: 1, added: 1, removed: 1 });
  });

  it("counts faces missing from the shorter array as unlabelled", () => {
    expect(faceDiff(["stock", "stock"], ["stock"])).toEqual(["same", "added"]);
    expect(faceDiff(["stock"], ["stock", "fillet"])).toEqual(["same", "removed"]);
    expect(faceDiff([], [])).toEqual([]);
  });
});

describe("stepChange", () => {
  const changed = [2, 5, 9];
  it("steps forward and back in face order, wrapping around", () => {
    expect(stepChange(changed, null, 1)).toBe(2);
    expect(stepChange(changed, null, -1)).toBe(9);
    expect(stepChange(changed, 2, 1)).toBe(5);
    expect(stepChange(changed, 9, 1)).toBe(2);
    expect(stepChange(changed, 5, -1)).toBe(2);
    expect(stepChange(changed, 2, -1)).toBe(9);
  });
  it("starts from the nearest change when the current face did not change", () => {
    expect(stepChange(changed, 3, 1)).toBe(5);
    expect(stepChange(changed, 3, -1)).toBe(2);
  });
  it("has nowhere to go when nothing changed", () => {
    expect(stepChange([], null, 1)).toBeNull();
    expect(stepChange([], 4, -1)).toBeNull();
  });
});

describe("reviewInputSchema", () => {
  it("accepts an approval without notes", () => {
    const r = reviewInputSchema.parse({ decision: "approved", revisionNo: 3 });
    expect(r.notes).toEqual([]);
  });
  it("refuses a rejection that says nothing", () => {
    const r = reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 3, summary: "   " });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/summary or at least one note/);
  });
  it("accepts a rejection with a note pinned to a face or a point, not an unpinned note", () => {
    expect(
      reviewInputSchema.safeParse({
        decision: "rejected",
        revisionNo: 1,
        notes: [
          { body: "hole", faceIndex: 4 },
          { body: "here", point: [1, 2, 3] },
        ],
      }).success,
    ).toBe(true);
    expect(
      reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 1, notes: [{ body: "somewhere" }] }).success,
    ).toBe(false);
    expect(
      reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 1, notes: [{ body: "x", faceIndex: -1 }] })
        .success,
    ).toBe(false);
    expect(
      reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 1, notes: [{ body: "x", point: [1, 2, 1e12] }] })
        .success,
    ).toBe(false);
  });
  it("refuses unknown decisions and revision 0", () => {
    expect(reviewInputSchema.safeParse({ decision: "maybe", revisionNo: 1 }).success).toBe(false);
    expect(reviewInputSchema.safeParse({ decision: "approved", revisionNo: 0 }).success).toBe(false);
  });
});

describe("comment inputs", () => {
  it("trims bodies and refuses empty or huge ones", () => {
    expect(newCommentSchema.parse({ body: "  hi  " }).body).toBe("hi");
    expect(newCommentSchema.safeParse({ body: "   " }).success).toBe(false);
    expect(newCommentSchema.safeParse({ body: "x".repeat(5001) }).success).toBe(false);
  });
  it("does not pin replies", () => {
    const parentId = "6f1c3f1e-8d2b-4c1a-9f4e-2b7d9c0a1e3f";
    expect(newCommentSchema.safeParse({ body: "ok", parentId }).success).toBe(true);
    expect(newCommentSchema.safeParse({ body: "ok", parentId, faceIndex: 2 }).success).toBe(false);
  });
  it("share links: access, a bounded expiry, tokens of 43 url-safe characters", () => {
    expect(newShareLinkSchema.safeParse({ access: "comment", expiresInDays: 7 }).success).toBe(true);
    expect(newShareLinkSchema.safeParse({ access: "write", expiresInDays: 7 }).success).toBe(false);
    expect(newShareLinkSchema.safeParse({ access: "read", expiresInDays: 0 }).success).toBe(false);
    expect(newShareLinkSchema.safeParse({ access: "read", expiresInDays: 366 }).success).toBe(false);
    expect(shareTokenSchema.safeParse("a".repeat(43)).success).toBe(true);
    expect(shareTokenSchema.safeParse("a".repeat(42)).success).toBe(false);
    expect(shareTokenSchema.safeParse(`${"a".repeat(42)}/`).success).toBe(false);
  });
});

describe("splitMentions", () => {
  it("finds @handles and @emails, keeps the rest as text, in order", () => {
    expect(splitMentions("@fay see face 3, cc @gil@example.test.")).toEqual([
      { mention: "fay" },
      { text: " see face 3, cc " },
      { mention: "gil@example.test" },
      { text: "." },
    ]);
  });
  it("does not take an email address in running text for a mention", () => {
    expect(splitMentions("write to fay@example.test")).toEqual([{ text: "write to fay@example.test" }]);
  });
  it("leaves markup as text: rendering is the UI's job, never as HTML", () => {
    const segments = splitMentions("<b>@fay</b>");
    expect(segments).toEqual([{ text: "<b>" }, { mention: "fay" }, { text: "</b>" }]);
  });
  it("reassembles to the original text (nothing lost or added)", () => {
    for (const body of ["@a @b", "x @y.z. and @w-", "(@fay)", "@@fay", "plain"]) {
      const joined = splitMentions(body)
        .map((s) => ("text" in s ? s.text : `@${s.mention}`))
        .join("");
      expect(joined).toBe(body);
    }
  });
  it("lists each handle once, lower-cased", () => {
    expect(mentionHandles("@Fay and @fay and @gil")).toEqual(["fay", "gil"]);
  });
});

describe("face indices from outside", () => {
  it("refuses indices no part has (above 2^31-1 included) in pins, notes and instances", () => {
    for (const faceIndex of [2 ** 31, 2 ** 31 - 1, MAX_FACES, Number.MAX_SAFE_INTEGER, 1e300]) {
      expect(newCommentSchema.safeParse({ body: "here", faceIndex }).success, String(faceIndex)).toBe(false);
      expect(reviewNoteSchema.safeParse({ body: "here", faceIndex }).success, String(faceIndex)).toBe(false);
    }
    expect(newCommentSchema.safeParse({ body: "here", faceIndex: MAX_FACES - 1 }).success).toBe(true);
    const doc = (faces: number[]) => ({
      schemaVersion: 1,
      faceSignature: "s",
      faceCount: 1,
      labels: ["hole"],
      instances: [{ id: "i", feature: "hole", faces }],
    });
    expect(annotationDocumentSchema.safeParse(doc([2 ** 31])).success).toBe(false);
  });
});
