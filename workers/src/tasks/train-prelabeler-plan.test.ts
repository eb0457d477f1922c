/**
 * The training split and order depend on the parts' content, not their random ids: the same approved
 * files give the same held-back parts and the same training order in any dataset and any run (a
 * database test's accuracy moved from run to run while the split followed the ids).
 */
import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { planTraining } from "./train-prelabeler";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const files = Array.from({ length: 40 }, (_, i) => sha(`part ${i}`));

/** The same files uploaded again: new random ids, read in another order. */
function uploaded(shas: readonly string[]) {
  const parts = shas.map((s) => ({ partId: randomUUID(), sha256: s }));
  return parts.sort((a, b) => (a.partId < b.partId ? -1 : 1));
}

function planBySha(parts: ReturnType<typeof uploaded>) {
  const { ordered, heldOut } = planTraining(parts);
  return {
    order: ordered.map((p) => p.sha256),
    held: ordered.filter((p) => heldOut.has(p.partId)).map((p) => p.sha256),
  };
}

describe("planTraining", () => {
  it("holds back and orders the same files the same way whatever their ids", () => {
    const first = planBySha(uploaded(files));
    for (let run = 0; run < 5; run++) expect(planBySha(uploaded(files))).toEqual(first);
    expect(first.held.length).toBeGreaterThan(0);
    expect(first.held.length).toBeLessThan(files.length / 2);
    expect(first.order).toEqual([...files].sort());
  });

  it("keeps a held-back file held back when other files come and go", () => {
    const before = planBySha(uploaded(files.slice(0, 30)));
    const after = planBySha(uploaded([...files.slice(5, 30), ...files.slice(30)]));
    for (const s of before.held.filter((h) => files.slice(5, 30).includes(h))) expect(after.held).toContain(s);
  });

  it("returns the held-back parts by id, every one of them among the parts given", () => {
    const parts = uploaded(files);
    const { ordered, heldOut } = planTraining(parts);
    expect(ordered).toHaveLength(parts.length);
    for (const id of heldOut) expect(parts.some((p) => p.partId === id)).toBe(true);
  });
});
