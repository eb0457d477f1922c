import { describe, expect, it } from "vitest";
import {
  CLAIMABLE_STATUSES,
  canTransition,
  PART_STATUSES,
  PART_TRANSITIONS,
  type PartStatus,
  partStatusSchema,
  STATUS_LABELS,
} from "./status";

const ALL = new Set<string>(PART_STATUSES);

function reachableFrom(start: PartStatus): Set<PartStatus> {
  const seen = new Set<PartStatus>([start]);
  const todo: PartStatus[] = [start];
  while (todo.length > 0) {
    const s = todo.pop() as PartStatus;
    for (const t of PART_TRANSITIONS[s]) {
      if (!seen.has(t)) {
        seen.add(t);
        todo.push(t);
      }
    }
  }
  return seen;
}

describe("part statuses", () => {
  it("lists each status once, and the schema accepts exactly those", () => {
    expect(new Set(PART_STATUSES).size).toBe(PART_STATUSES.length);
    for (const s of PART_STATUSES) expect(partStatusSchema.parse(s)).toBe(s);
    for (const bad of ["", "Approved", "done", "in-review", " approved"]) {
      expect(partStatusSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("has a label for every status and nothing else", () => {
    expect(Object.keys(STATUS_LABELS).sort()).toEqual([...PART_STATUSES].sort());
    for (const s of PART_STATUSES) expect(STATUS_LABELS[s].trim()).not.toBe("");
  });
});

describe("PART_TRANSITIONS", () => {
  it("has every status as a key, and no other key", () => {
    expect(Object.keys(PART_TRANSITIONS).sort()).toEqual([...PART_STATUSES].sort());
  });

  it("only targets valid statuses, never itself, never the same target twice", () => {
    for (const [from, targets] of Object.entries(PART_TRANSITIONS)) {
      for (const to of targets) expect(ALL.has(to), `${from} -> ${to}`).toBe(true);
      expect(targets, `${from} loops to itself`).not.toContain(from);
      expect(new Set(targets).size, `${from} lists a target twice`).toBe(targets.length);
    }
  });

  it("makes approved final and the only final status", () => {
    expect(PART_TRANSITIONS.approved).toEqual([]);
    const finals = PART_STATUSES.filter((s) => PART_TRANSITIONS[s].length === 0);
    expect(finals).toEqual(["approved"]);
  });

  it("reaches every status from uploaded", () => {
    expect([...reachableFrom("uploaded")].sort()).toEqual([...PART_STATUSES].sort());
  });

  it("reaches approved from every status (no dead end)", () => {
    for (const s of PART_STATUSES) expect(reachableFrom(s).has("approved"), s).toBe(true);
  });

  it("gets to approved only through review", () => {
    const into = PART_STATUSES.filter((s) => PART_TRANSITIONS[s].includes("approved"));
    expect(into).toEqual(["in_review"]);
  });

  it("has the documented extra edges: retry after failure, release of an unlabelled claim", () => {
    expect(canTransition("failed", "uploaded")).toBe(true);
    expect(canTransition("in_progress", "unannotated")).toBe(true);
    expect(canTransition("in_progress", "pre_labeled")).toBe(true);
    expect(canTransition("in_review", "in_progress")).toBe(true); // rejection sends it back
  });
});

describe("canTransition", () => {
  it("agrees with the table on every ordered pair", () => {
    for (const from of PART_STATUSES) {
      for (const to of PART_STATUSES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(PART_TRANSITIONS[from].includes(to));
      }
    }
  });

  it("refuses some transitions that would skip the workflow", () => {
    expect(canTransition("uploaded", "approved")).toBe(false);
    expect(canTransition("in_progress", "approved")).toBe(false);
    expect(canTransition("approved", "in_progress")).toBe(false);
    expect(canTransition("approved", "approved")).toBe(false);
    expect(canTransition("unannotated", "in_review")).toBe(false);
    expect(canTransition("processing", "in_progress")).toBe(false);
  });
});

describe("CLAIMABLE_STATUSES", () => {
  it("are valid, distinct statuses", () => {
    for (const s of CLAIMABLE_STATUSES) expect(ALL.has(s)).toBe(true);
    expect(new Set(CLAIMABLE_STATUSES).size).toBe(CLAIMABLE_STATUSES.length);
    expect(CLAIMABLE_STATUSES.length).toBeGreaterThan(0);
  });

  it("each have a transition to in_progress (claim) and back (release to where it came from)", () => {
    for (const s of CLAIMABLE_STATUSES) {
      expect(canTransition(s, "in_progress"), `claim from ${s}`).toBe(true);
      expect(canTransition("in_progress", s), `release to ${s}`).toBe(true);
    }
  });

  it("are exactly the statuses that can move to in_progress apart from a rejected review", () => {
    const intoProgress = PART_STATUSES.filter((s) => canTransition(s, "in_progress") && s !== "in_review");
    expect([...intoProgress].sort()).toEqual([...CLAIMABLE_STATUSES].sort());
  });

  it("exclude parts still processing, in review or approved", () => {
    for (const s of ["uploaded", "processing", "failed", "in_progress", "in_review", "approved"] as const) {
      expect(CLAIMABLE_STATUSES).not.toContain(s);
    }
  });
});
