import { describe, expect, it } from "vitest";
import { annotatorOptions, decisionBlocked, queueQuery, reviewedMessage, waitingText } from "./queue";

describe("review queue filters", () => {
  it("keeps only the filters set in the query string", () => {
    expect(queueQuery({ annotator: null, dataset: null })).toBe("");
    expect(queueQuery({ annotator: "u1", dataset: null })).toBe("?annotator=u1");
    expect(queueQuery({ annotator: "u1", dataset: "d 2" })).toBe("?annotator=u1&dataset=d+2");
    expect(queueQuery({ annotator: "", dataset: "d" })).toBe("?dataset=d");
  });

  it("offers members who label and annotators of queued parts, once each, by email", () => {
    const options = annotatorOptions(
      [
        { userId: "1", email: "zoe@x.io", role: "annotator" },
        { userId: "2", email: "amy@x.io", role: "engineer" },
        { userId: "3", email: "vic@x.io", role: "viewer" },
        { userId: "4", email: "mel@x.io", role: "ml_engineer" },
      ],
      [
        { annotatorId: "1", annotatorEmail: "zoe@x.io" },
        { annotatorId: "5", annotatorEmail: "bob@x.io" },
        { annotatorId: null, annotatorEmail: null },
      ],
    );
    expect(options).toEqual([
      { userId: "2", email: "amy@x.io" },
      { userId: "5", email: "bob@x.io" },
      { userId: "1", email: "zoe@x.io" },
    ]);
  });
});

describe("review queue text", () => {
  it("counts the waiting parts in words", () => {
    expect(waitingText(0)).toBe("0 parts wait for review");
    expect(waitingText(1)).toBe("1 part waits for review");
    expect(waitingText(7)).toBe("7 parts wait for review");
    expect(waitingText(7, 7)).toBe("7 parts wait for review");
    // more wait than the page holds: the count is of them all, and says what the page shows
    expect(waitingText(600, 50)).toBe("600 parts wait for review, the oldest 50 shown");
  });

  it("confirms the decision", () => {
    expect(reviewedMessage("bracket.step", "approved")).toBe("Approved bracket.step.");
    expect(reviewedMessage("bracket.step", "rejected")).toMatch(/^Sent bracket\.step back/);
    expect(reviewedMessage("bracket.step", null)).toBe("Reviewed bracket.step.");
  });
});

describe("who may decide", () => {
  it("refuses the part's own annotator and parts not waiting for review", () => {
    expect(decisionBlocked({ userId: "u", annotatorId: "v", status: "in_review" })).toBeNull();
    expect(decisionBlocked({ userId: "u", annotatorId: "u", status: "in_review" })).toMatch(/own annotation/);
    expect(decisionBlocked({ userId: "u", annotatorId: "v", status: "approved" })).toBe(
      "This part is approved, not waiting for review.",
    );
    expect(decisionBlocked({ userId: "u", annotatorId: null, status: "in_progress" })).toMatch(/in progress/);
  });
});
