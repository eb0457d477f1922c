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
      "Processed: ready to label",
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

// Events shaped as the database writes them (supabase/schema.sql: parts_audit_status, parts_audit_edit,
// claim_next_part, annotation_revisions_audit, part_reviews_after, comments_after, the consensus step).
const PART = "8f0c2a52-4d0e-4a4e-9d36-1c1f2f0f7a10";
const ANN = "ann@example.test";
const DEE = "dee@example.test";
const ERIN = "erin@example.test";
const DEE_ID = "2b9f4c1e-0000-4000-8000-000000000001";
const ERIN_ID = "2b9f4c1e-0000-4000-8000-000000000002";

const at = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 10, 30, 10, minute, second)).toISOString().replace("Z", "+00:00");
const status = (who: string | null, from: string, to: string, t: string, annotator: string | null = null) =>
  ev("part.status_changed", who, { from, to, annotator_id: annotator }, t);
const revision = (who: string | null, n: number, t: string, source = "human") =>
  ev("revision.created", who, { part_id: PART, revision_no: n, source, model_assisted: source === "model" }, t);
const change = (from: unknown, to: unknown) => ({ from, to });

/** What a column name looks like, as written or spelled out ("changed returned at"). */
const COLUMN_WORDS =
  /\b[a-z]+_[a-z_]+\b|returned at|reviewer id|status changed at|lease expires at|claimed (at|from|by)\b|annotator id|queue priority|geometry id|changed status\b|changed review notes|dataset id/i;
function expectSpoken(lines: string[]) {
  for (const l of lines) expect(l, l).not.toMatch(COLUMN_WORDS);
}

/** A part's whole life: upload, the worker, claim, autosaves, submit, reject with notes, fix, approve. */
function wholeLife(): HistoryEventInput[] {
  return [
    ev("part.created", ANN, { name: "bracket.step", blob_sha256: "9f".repeat(32), dataset_id: "d1" }, at(0)),
    status(null, "uploaded", "processing", at(0, 2)),
    status(null, "processing", "unannotated", at(0, 40)),
    revision(null, 1, at(0, 40), "model"),
    status(null, "unannotated", "pre_labeled", at(0, 40)),
    status(DEE, "pre_labeled", "in_progress", at(5), DEE_ID),
    ev("part.claimed", DEE, { lease_expires_at: at(20), expired_claim_of: null }, at(5)),
    revision(DEE, 2, at(6)),
    revision(DEE, 3, at(7)),
    revision(DEE, 4, at(8)),
    revision(DEE, 5, at(9)),
    status(DEE, "in_progress", "in_review", at(10), DEE_ID),
    ev("part.submitted", DEE, { revision_no: 5 }, at(10)),
    // the reviewer rejects: the status change, the bookkeeping written with the summary, the review, a note
    status(ERIN, "in_review", "in_progress", at(15), DEE_ID),
    ev(
      "part.updated",
      ERIN,
      {
        changed: {
          status: change("in_review", "in_progress"),
          returned_at: change(null, at(15)),
          reviewer_id: change(null, ERIN_ID),
          review_notes: change(null, "Face 3 is a hole, not stock."),
          status_changed_at: change(at(10), at(15)),
        },
      },
      at(15),
    ),
    ev(
      "part.reviewed",
      ERIN,
      {
        part_id: PART,
        decision: "rejected",
        revision_no: 5,
        annotator_id: DEE_ID,
        summary: "Face 3 is a hole, not stock.",
      },
      at(15),
    ),
    ev(
      "comment.created",
      ERIN,
      {
        part_id: PART,
        kind: "review_note",
        parent_id: null,
        face_index: 3,
        author_name: ERIN,
        share_link_id: null,
        excerpt: "the bore",
      },
      at(15),
    ),
    revision(DEE, 6, at(20)),
    ev("comment.resolved", DEE, { part_id: PART, kind: "review_note", excerpt: "the bore" }, at(21)),
    status(DEE, "in_progress", "in_review", at(22), DEE_ID),
    ev("part.submitted", DEE, { revision_no: 6 }, at(22)),
    // approved: the summary is cleared with the bookkeeping
    status(ERIN, "in_review", "approved", at(30), DEE_ID),
    ev(
      "part.updated",
      ERIN,
      {
        changed: {
          status: change("in_review", "approved"),
          returned_at: change(at(15), null),
          review_notes: change("Face 3 is a hole, not stock.", null),
          status_changed_at: change(at(22), at(30)),
        },
      },
      at(30),
    ),
    ev(
      "part.reviewed",
      ERIN,
      { part_id: PART, decision: "approved", revision_no: 6, annotator_id: DEE_ID, summary: null },
      at(30),
    ),
  ];
}

describe("a part's whole life", () => {
  it("reads as what people did, one line per act", () => {
    const lines = texts(wholeLife());
    expect(lines).toEqual([
      `${ANN} uploaded the part as bracket.step`,
      "Processed and pre-labelled (revision 1)",
      `${DEE} claimed the part`,
      `${DEE} saved revisions 2–5`,
      `${DEE} submitted revision 5`,
      `${ERIN} rejected revision 5: Face 3 is a hole, not stock.`,
      `${ERIN} added a review note on face 3: “the bore”`,
      `${DEE} saved revision 6`,
      `${DEE} resolved a review note: “the bore”`,
      `${DEE} submitted revision 6`,
      `${ERIN} approved revision 6`,
    ]);
    expectSpoken(lines);
  });

  it("a line of the worker's chain stands for its events and takes the time of the last", () => {
    const line = historyLines(wholeLife())[1];
    expect(line).toMatchObject({ action: "part.status_changed", events: 4, at: at(0, 40) });
  });

  it("never shows a column name, whatever a review's bookkeeping holds", () => {
    const events = wholeLife().map((e) =>
      e.action === "part.updated"
        ? {
            ...e,
            data: {
              changed: {
                ...(e.data.changed as object),
                lease_expires_at: change(at(20), null),
                claimed_at: change(at(5), null),
                queue_priority: change(0.2, 0.4),
              },
            },
          }
        : e,
    );
    expectSpoken(texts(events));
    expect(texts(events)).toEqual(texts(wholeLife()));
  });
});

describe("the worker's steps", () => {
  it("collapse processing and pre-labels into one line, and say what came of processing", () => {
    expect(
      texts([status(null, "processing", "unannotated", at(1)), status(null, "unannotated", "pre_labeled", at(1))]),
    ).toEqual(["Processed and pre-labelled"]);
    expect(
      texts([status(null, "uploaded", "processing", at(0)), status(null, "processing", "unannotated", at(1))]),
    ).toEqual(["Processed: ready to label"]);
    expect(texts([status(null, "uploaded", "processing", at(0)), status(null, "processing", "failed", at(1))])).toEqual(
      ["Processing failed"],
    );
    // still at work
    expect(texts([status(null, "uploaded", "processing", at(0))])).toEqual(["Processing started"]);
  });

  it("retrying a failed part: the person's retry, then the worker's chain", () => {
    const lines = texts([
      ev("part.created", ANN, { name: "bad.step" }, at(0)),
      status(null, "uploaded", "processing", at(0, 1)),
      status(null, "processing", "failed", at(0, 9)),
      status(ANN, "failed", "uploaded", at(3)),
      status(null, "uploaded", "processing", at(3, 1)),
      status(null, "processing", "unannotated", at(3, 30)),
      revision(null, 1, at(3, 30), "model"),
      status(null, "unannotated", "pre_labeled", at(3, 30)),
    ]);
    expect(lines).toEqual([
      `${ANN} uploaded the part as bad.step`,
      "Processing failed",
      `${ANN} retried processing`,
      "Processed and pre-labelled (revision 1)",
    ]);
  });

  it("pre-labels asked for later are their own line", () => {
    expect(
      texts([
        status(null, "uploaded", "processing", at(0)),
        status(null, "processing", "unannotated", at(1)),
        revision(null, 1, at(40), "model"),
        status(null, "unannotated", "pre_labeled", at(40)),
      ]),
    ).toEqual(["Processed: ready to label", "Pre-labels arrived (revision 1)"]);
  });

  it("people's steps are not the worker's", () => {
    expect(texts([status(ANN, "unannotated", "pre_labeled", at(1)), revision(ANN, 2, at(1), "model")])).toEqual([
      `${ANN} added pre-labels`,
      `${ANN} saved model pre-labels as revision 2`,
    ]);
  });
});

describe("claims", () => {
  it("a release, an expiry and a claim after an expiry", () => {
    expect(
      texts([
        status(DEE, "pre_labeled", "in_progress", at(0), DEE_ID),
        ev("part.claimed", DEE, { lease_expires_at: at(15), expired_claim_of: null }, at(0)),
        status(DEE, "in_progress", "pre_labeled", at(3)),
        status(ERIN, "pre_labeled", "in_progress", at(4), ERIN_ID),
        ev("part.claimed", ERIN, { lease_expires_at: at(19), expired_claim_of: null }, at(4)),
        status(null, "in_progress", "pre_labeled", at(30)),
        status(DEE, "unannotated", "in_progress", at(40), DEE_ID),
        ev("part.claimed", DEE, { lease_expires_at: at(55), expired_claim_of: null }, at(40)),
        ev("part.claimed", ERIN, { lease_expires_at: at(75), expired_claim_of: DEE_ID }, at(60)),
      ]),
    ).toEqual([
      `${DEE} claimed the part`,
      `${DEE} released the part to the queue`,
      `${ERIN} claimed the part`,
      "The claim expired: the part went back to the queue",
      `${DEE} claimed the part`,
      `${ERIN} claimed the part after the previous claim expired`,
    ]);
  });
});

describe("consensus", () => {
  it("a submission that is one of several independent annotations is one line", () => {
    const lines = texts([
      ev("part.annotation_recorded", DEE, { revision_no: 3, count: 1, required: 2, part_id: PART }, at(10)),
      revision(DEE, 4, at(10), "consensus"),
      status(DEE, "in_progress", "pre_labeled", at(10), null),
      ev("part.submitted", DEE, { revision_no: 3 }, at(10)),
      status(ERIN, "pre_labeled", "in_progress", at(20), ERIN_ID),
      ev("part.claimed", ERIN, { lease_expires_at: at(35), expired_claim_of: null }, at(20)),
      revision(ERIN, 5, at(21)),
      ev("part.annotation_recorded", ERIN, { revision_no: 5, count: 2, required: 2, part_id: PART }, at(22)),
      revision(ERIN, 6, at(22), "consensus"),
      status(ERIN, "in_progress", "in_review", at(22), ERIN_ID),
      ev("part.submitted", ERIN, { revision_no: 5 }, at(22)),
    ]);
    expect(lines).toEqual([
      `${DEE} submitted revision 3 as annotation 1 of 2: the part went back to the queue for the next annotator`,
      `${ERIN} claimed the part`,
      `${ERIN} saved revision 5`,
      `${ERIN} submitted revision 5 as annotation 2 of 2: the majority of the annotations went to review as revision 6`,
    ]);
  });
});

describe("edits", () => {
  const edit = (who: string | null, changed: Record<string, unknown>) =>
    historySentence(ev("part.updated", who, { changed }, at(0)));

  it("says what a person changed, and drops the bookkeeping beside it", () => {
    expect(edit(ANN, { name: change("a.step", "b.step"), tags: change([], ["urgent"]) })).toBe(
      `${ANN} renamed the part from a.step to b.step and tagged the part “urgent”`,
    );
    expect(edit(ANN, { dataset_id: change("d1", "d2"), queue_priority: change(0, 0.5) })).toBe(
      `${ANN} moved the part to another dataset`,
    );
    expect(edit(ANN, { tags: change(["a", "b"], ["b", "c"]) })).toBe(
      `${ANN} tagged the part “c” and removed the tag “a”`,
    );
    expect(edit(ANN, { tags: change(["a", "b"], []) })).toBe(`${ANN} removed the tags “a” and “b”`);
    expect(edit(ANN, { tags: change(["a", "b"], ["b", "a"]) })).toBe(`${ANN} reordered the tags`);
    expect(edit(ANN, { split: change(null, "train") })).toBe(`${ANN} put the part in the training split`);
    expect(edit(ANN, { split: change("train", "val") })).toBe(
      `${ANN} moved the part from the training split to the validation split`,
    );
    expect(edit(ANN, { split: change("test", null) })).toBe(`${ANN} took the part out of the test split`);
    expect(edit(ERIN, { review_notes: change(null, "Check face 2") })).toBe(
      `${ERIN} wrote review notes: “Check face 2”`,
    );
    expect(edit(ERIN, { review_notes: change("Check face 2", "Check face 3") })).toBe(
      `${ERIN} edited the review notes: “Check face 3”`,
    );
    expect(edit(ERIN, { review_notes: change("Check face 2", null), reviewer_id: change(null, ERIN_ID) })).toBe(
      `${ERIN} cleared the review notes`,
    );
  });

  it("tells bookkeeping alone in words, never by column", () => {
    const cases: Array<[string | null, Record<string, unknown>, string]> = [
      [ERIN, { reviewer_id: change(null, ERIN_ID) }, `${ERIN} took on the review`],
      [
        null,
        { reviewer_id: change(null, ERIN_ID), status_changed_at: change(at(1), at(2)) },
        "A reviewer was assigned",
      ],
      [DEE, { lease_expires_at: change(at(15), at(30)) }, `${DEE} extended the claim`],
      [null, { lease_expires_at: change(at(15), null) }, "The claim ended"],
      [null, { returned_at: change(null, at(3)) }, "The part went back to its annotator"],
      [DEE, { annotator_id: change(null, DEE_ID), claimed_at: change(null, at(1)) }, `${DEE} claimed the part`],
      [
        null,
        { annotator_id: change(DEE_ID, null), claimed_from: change("pre_labeled", null) },
        "The part was released",
      ],
      [
        null,
        { status: change("in_review", "approved"), status_changed_at: change(at(1), at(2)) },
        "Facet approved the part",
      ],
      [null, { queue_priority: change(0, 1) }, "The place in the queue changed"],
      [null, { prelabel_error: change(null, "no model answered") }, "Pre-labelling gave no answer"],
      [
        null,
        { prelabel_confidence: change(null, 0.8), prelabel_disagreements: change(null, 2) },
        "The pre-labels were updated",
      ],
      [null, { geometry_id: change(null, "g"), geometry: change(null, { faceCount: 3 }) }, "The geometry was updated"],
      [ANN, { status_changed_at: change(at(1), at(2)) }, `${ANN} edited the part`],
      [null, { some_new_column: change(1, 2) }, "The part was updated"],
      [ANN, {}, `${ANN} edited the part`],
    ];
    for (const [who, changed, sentence] of cases) {
      expect(edit(who, changed), JSON.stringify(changed)).toBe(sentence);
      expectSpoken([edit(who, changed)]);
    }
  });

  it("bookkeeping written beside a status change is not a line of its own", () => {
    expect(
      texts([
        status(ERIN, "in_review", "in_progress", at(1), DEE_ID),
        ev(
          "part.updated",
          ERIN,
          { changed: { returned_at: change(null, at(1)), reviewer_id: change(null, ERIN_ID) } },
          at(1),
        ),
      ]),
    ).toEqual([`${ERIN} sent the part back for changes`]);
  });

  it("review notes edited outside a review are a line", () => {
    expect(
      texts([ev("part.updated", ERIN, { changed: { review_notes: change("x", "Look at face 4") } }, at(1))]),
    ).toEqual([`${ERIN} edited the review notes: “Look at face 4”`]);
  });
});

describe("historySentence naming the part (the audit log)", () => {
  const named = (e: HistoryEventInput) => historySentence(e, "bracket.step");
  it("names the part where a page lists events of many parts", () => {
    expect(named(ev("part.created", ANN, { name: "bracket.step" }))).toBe(`${ANN} created the part bracket.step`);
    expect(named(ev("part.claimed", DEE, {}))).toBe(`${DEE} claimed bracket.step`);
    expect(named(ev("part.submitted", DEE, { revision_no: 4 }))).toBe(`${DEE} submitted revision 4 of bracket.step`);
    expect(named(ev("part.reviewed", ERIN, { decision: "approved", revision_no: 4 }))).toBe(
      `${ERIN} approved revision 4 of bracket.step`,
    );
    expect(named(status(null, "uploaded", "processing", at(0)))).toBe("Processing of bracket.step started");
    expect(named(status(null, "processing", "unannotated", at(0)))).toBe("bracket.step was processed: ready to label");
    expect(named(status(null, "unannotated", "pre_labeled", at(0)))).toBe("Pre-labels arrived for bracket.step");
    expect(named(status(null, "in_progress", "pre_labeled", at(0)))).toBe(
      "The claim on bracket.step expired: it went back to the queue",
    );
    expect(named(status(DEE, "in_progress", "unannotated", at(0)))).toBe(`${DEE} released bracket.step to the queue`);
    expect(named(revision(DEE, 3, at(0)))).toBe(`${DEE} saved revision 3 of bracket.step`);
    expect(named(revision(null, 1, at(0), "model"))).toBe("Model pre-labels were saved as revision 1 of bracket.step");
    expect(named(ev("comment.created", "Gil", { kind: "comment", face_index: 12, excerpt: "bore" }))).toBe(
      "Gil commented on face 12 of bracket.step: “bore”",
    );
    expect(named(ev("comment.created", "Gil", { kind: "comment", excerpt: "ok" }))).toBe(
      "Gil commented on bracket.step: “ok”",
    );
    expect(named(ev("comment.resolved", "Fay", { kind: "comment", excerpt: "ok" }))).toBe(
      "Fay resolved a comment on bracket.step: “ok”",
    );
    expect(named(ev("share_link.revoked", "Erin", { access: "read", label: null }))).toBe(
      "Erin revoked a read-only link to bracket.step",
    );
    expect(named(ev("part.updated", ANN, { changed: { name: change("a.step", "bracket.step") } }))).toBe(
      `${ANN} renamed a.step to bracket.step`,
    );
    expect(named(ev("part.updated", ANN, { changed: { tags: change([], ["x"]) } }))).toBe(
      `${ANN} tagged bracket.step “x”`,
    );
    expect(named(ev("part.deleted", ANN, { name: "bracket.step", status: "approved" }))).toBe(
      `${ANN} deleted bracket.step`,
    );
    expect(historySentence(ev("part.deleted", ANN, { name: "old.step" }))).toBe(`${ANN} deleted old.step`);
  });
});
