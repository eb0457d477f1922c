import { reviewInputSchema } from "@facet/core";
import { describe, expect, it } from "vitest";
import { addNote, canReject, type DraftNote, noteNumber, notePins, removeNote, reviewPayload } from "./notes";

const a: DraftNote = { id: "a", body: "chamfer, not fillet", faceIndex: 12, point: [1, 2, 3] };
const b: DraftNote = { id: "b", body: "missing hole", faceIndex: 40, point: [4, 5, 6] };

describe("review notes", () => {
  it("adds a trimmed note at the end and refuses empty, unpinned or duplicate ones", () => {
    const one = addNote([], { id: "a", body: "  chamfer, not fillet \n", faceIndex: 12, point: [1, 2, 3] });
    expect(one.error).toBeNull();
    expect(one.notes).toEqual([a]);
    const two = addNote(one.notes, b);
    expect(two.notes.map((n) => n.id)).toEqual(["a", "b"]);

    expect(addNote([a], { id: "c", body: "   ", faceIndex: 1, point: null })).toEqual({
      notes: [a],
      error: "write the note first",
    });
    expect(addNote([a], { id: "c", body: "x", faceIndex: null, point: null }).error).toMatch(/pin the note/);
    expect(addNote([a], { ...a, body: "again" }).error).toMatch(/already/);
    expect(addNote([], { id: "c", body: "x".repeat(5001), faceIndex: 1, point: null }).error).toMatch(/at most/);
  });

  it("removes a note and renumbers the rest", () => {
    const list = [a, b];
    expect(noteNumber(list, "b")).toBe(2);
    const left = removeNote(list, "a");
    expect(left).toEqual([b]);
    expect(noteNumber(left, "b")).toBe(1);
    expect(noteNumber(left, "a")).toBeNull();
    expect(list).toHaveLength(2);
  });

  it("makes numbered pins for notes with a point, the active one marked, and a pin for the draft", () => {
    const pins = notePins([a, { ...b, point: null }, { id: "c", body: "c", faceIndex: 2, point: [0, 0, 0] }], "c", {
      faceIndex: 7,
      point: [9, 9, 9],
    });
    expect(pins.map((p) => [p.id, p.label, p.active])).toEqual([
      ["a", "1", false],
      ["c", "3", true],
      ["draft", "+", true],
    ]);
    expect(pins[0]?.title).toBe("1. face 12: chamfer, not fillet");
    expect(notePins([a], null, null)).toHaveLength(1);
  });

  it("allows a rejection only with a summary or a note", () => {
    expect(canReject([], "")).toBe(false);
    expect(canReject([], "   ")).toBe(false);
    expect(canReject([], "redo the holes")).toBe(true);
    expect(canReject([a], "")).toBe(true);
  });

  it("builds a request body the server's schema accepts, without empty fields", () => {
    const body = reviewPayload("rejected", 4, "  ", [a, { id: "p", body: "here", faceIndex: null, point: [1, 1, 1] }]);
    expect(body).toEqual({
      decision: "rejected",
      revisionNo: 4,
      notes: [
        { body: "chamfer, not fillet", faceIndex: 12, point: [1, 2, 3] },
        { body: "here", point: [1, 1, 1] },
      ],
    });
    expect(reviewInputSchema.safeParse(body).success).toBe(true);
    const approve = reviewPayload("approved", 2, " fine ", []);
    expect(approve).toEqual({ decision: "approved", revisionNo: 2, summary: "fine", notes: [] });
    expect(reviewInputSchema.safeParse(approve).success).toBe(true);
    expect(reviewInputSchema.safeParse(reviewPayload("rejected", 2, "", [])).success).toBe(false);
  });
});
