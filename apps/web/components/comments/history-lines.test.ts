import { describe, expect, it } from "vitest";
import { type HistoryEventInput, historyLines, historySentence } from "./history-lines";

let nextId = 1;
function ev(
  action: string,
  actorName: string | null,
  data: Record<string, unknown> = {},
  at = "2026-11-30T10:00:00.000Z",
  actorKind = actorName ? "user" : "service",
): HistoryEventInput {
  return { id: nextId++, action, actorName, actorKind, data, createdAt: at };
}
const texts = (events: HistoryEventInput[]) => historyLines(events).map((l) => l.text);

describe("historyLines", () => {
  it("collapses consecutive revisions of the same person into one line", () => {
    const lines = historyLines([
      ev("revision.created", "Cy", { revision_no: 1, source: "human" }, "2026-11-30T10:00:00Z"),
      ev("revision.created", "Cy", { revision_no: 2, source: "human" }, "2026-11-30T10:01:00Z"),
      ev("revision.created", "Cy", { revision_no: 3, source: "human" }, "2026-11-30T10:02:00Z"),
    ]);
    expect(lines.map((l) => l.text)).toEqual(["Cy saved revisions 1–3"]);
    expect(lines[0]?.events).toBe(3);
    expect(lines[0]?.at).toBe("2026-11-30T10:02:00Z");
  });

  it("starts a new run when someone else saves or something else happens in between", () => {
    expect(
      texts([
        ev("revision.created", "Cy", { revision_no: 1, source: "human" }),
        ev("revision.created", "Cy", { revision_no: 2, source: "human" }),
        ev("revision.created", "Dee", { revision_no: 3, source: "human" }),
        ev("comment.created", "Dee", { kind: "comment", excerpt: "done?" }),
        ev("revision.created", "Dee", { revision_no: 4, source: "human" }),
        ev("revision.created", "Dee", { revision_no: 5, source: "import" }),
      ]),
    ).toEqual([
      "Cy saved revisions 1–2",
      "Dee saved revision 3",
      "Dee commented: “done?”",
      "Dee saved revision 4",
      "Dee imported labels as revision 5",
    ]);
  });

  it("tells a claim, a submission and a review once, not again as status changes", () => {
    expect(
      texts([
        ev("part.status_changed", "Dee", { from: "unannotated", to: "in_progress" }),
        ev("part.claimed", "Dee", {}),
        ev("part.status_changed", "Dee", { from: "in_progress", to: "in_review" }),
        ev("part.submitted", "Dee", { revision_no: 4 }),
        ev("part.status_changed", "Erin", { from: "in_review", to: "in_progress" }),
        ev("part.updated", "Erin", { changed: { review_notes: { from: null, to: "Fix it" } } }),
        ev("part.reviewed", "Erin", { decision: "rejected", revision_no: 4, summary: "Face 3 is a hole" }),
        ev("part.status_changed", "Erin", { from: "in_review", to: "approved" }),
        ev("part.reviewed", "Erin", { decision: "approved", revision_no: 6 }),
      ]),
    ).toEqual([
      "Dee claimed the part",
      "Dee submitted revision 4",
      "Erin rejected revision 4: Face 3 is a hole",
      "Erin approved revision 6",
    ]);
  });

  it("keeps status changes nothing else explains", () => {
    expect(
      texts([
        ev("part.created", "Ann", { name: "plate.step" }),
        ev("part.status_changed", null, { from: "uploaded", to: "processing" }),
        ev("part.status_changed", null, { from: "processing", to: "unannotated" }),
        ev("part.status_changed", "Dee", { from: "in_progress", to: "unannotated" }),
        ev("part.status_changed", null, { from: "in_progress", to: "pre_labeled" }),
      ]),
    ).toEqual([
      "Ann uploaded the part as plate.step",
      "Processing started",
      "Processing finished: the part is unannotated",
      "Dee released the part to the queue",
      "The claim expired: the part went back to the queue",
    ]);
  });
});

describe("historySentence", () => {
  it("names share links by access, label and expiry", () => {
    expect(
      historySentence(
        ev("share_link.created", "Erin", { access: "comment", expires_at: "2026-12-07T09:30:00Z", label: null }),
      ),
    ).toBe("Erin created a comment link (expires 7 Dec 2026)");
    expect(historySentence(ev("share_link.revoked", "Erin", { access: "read", label: "ACME" }))).toBe(
      "Erin revoked a read-only link “ACME”",
    );
  });

  it("tells comments, replies, review notes and guests apart, and resolving", () => {
    expect(historySentence(ev("comment.created", "Gil", { kind: "comment", face_index: 12, excerpt: "bore" }))).toBe(
      "Gil commented on face 12: “bore”",
    );
    expect(historySentence(ev("comment.created", "Fay", { kind: "comment", parent_id: "x", excerpt: "ok" }))).toBe(
      "Fay replied: “ok”",
    );
    expect(historySentence(ev("comment.created", "Gil", { kind: "review_note", face_index: 3, excerpt: "hole" }))).toBe(
      "Gil added a review note on face 3: “hole”",
    );
    expect(
      historySentence(ev("comment.created", null, { kind: "comment", author_name: "Hal (guest)", excerpt: "fine" })),
    ).toBe("Hal (guest) commented: “fine”");
    expect(historySentence(ev("comment.resolved", "Fay", { kind: "review_note", excerpt: "hole" }))).toBe(
      "Fay resolved a review note: “hole”",
    );
  });

  it("rejects without a summary, and shortens long excerpts", () => {
    expect(historySentence(ev("part.reviewed", "Erin", { decision: "rejected", revision_no: 2, summary: null }))).toBe(
      "Erin rejected revision 2",
    );
    const long = historySentence(ev("comment.created", "Gil", { kind: "comment", excerpt: "x".repeat(300) }));
    expect(long.length).toBeLessThan(130);
    expect(long.endsWith("…”")).toBe(true);
  });

  it("says what an edit changed", () => {
    expect(historySentence(ev("part.updated", "Ann", { changed: { name: { from: "a.step", to: "b.step" } } }))).toBe(
      "Ann renamed the part from a.step to b.step",
    );
  });
});
