import { describe, expect, it } from "vitest";
import { assignSplits, DEFAULT_SPLIT_CONFIG, groupsFromPairs, type SplitItem, splitConfigSchema } from "./splits";

const CLASSES = ["through_hole", "blind_hole", "slot", "chamfer", "fillet", "pocket"];

/** A dataset of n parts, part i holding a pseudo-random set of classes (deterministic). */
function dataset(n: number, from = 0): SplitItem[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + from;
    const classes = CLASSES.filter((_, c) => (i * 7919 + c * 104729) % 11 < 3 + (c % 3));
    return { id: `p${String(i).padStart(6, "0")}`, group: `g${i}`, classes, split: null };
  });
}

const apply = (items: SplitItem[], assigned: Map<string, string>) =>
  items.map((it) => ({ ...it, split: it.split ?? assigned.get(it.id) ?? null }));

describe("split assignment", () => {
  it("follows the ratios, overall and per feature class", () => {
    const items = dataset(2000);
    const { assigned, leaks } = assignSplits(items, DEFAULT_SPLIT_CONFIG);
    expect(leaks).toEqual([]);
    expect(assigned.size).toBe(2000);
    const done = apply(items, assigned);
    for (const { name, ratio } of DEFAULT_SPLIT_CONFIG.splits) {
      const share = done.filter((p) => p.split === name).length / done.length;
      expect(Math.abs(share - ratio)).toBeLessThan(0.01);
      for (const c of CLASSES) {
        const withClass = done.filter((p) => p.classes.includes(c));
        const inSplit = withClass.filter((p) => p.split === name).length / withClass.length;
        expect(Math.abs(inSplit - ratio), `${c} in ${name}`).toBeLessThan(0.03);
      }
    }
  });

  it("is deterministic, depends on the seed, and never moves a part when the dataset grows", () => {
    const items = dataset(500);
    const a = assignSplits(items, DEFAULT_SPLIT_CONFIG).assigned;
    expect(assignSplits([...items].reverse(), DEFAULT_SPLIT_CONFIG).assigned).toEqual(a);
    const other = assignSplits(items, { ...DEFAULT_SPLIT_CONFIG, seed: "another" }).assigned;
    expect([...a].filter(([id, s]) => other.get(id) !== s).length).toBeGreaterThan(0);

    const grown = [...apply(items, a), ...dataset(300, 500)];
    const next = assignSplits(grown, DEFAULT_SPLIT_CONFIG);
    expect(next.assigned.size).toBe(300);
    for (const id of a.keys()) expect(next.assigned.has(id)).toBe(false);
    const all = apply(grown, next.assigned);
    const share = all.filter((p) => p.split === "test").length / all.length;
    expect(Math.abs(share - 0.1)).toBeLessThan(0.01);
  });

  it("keeps near-duplicates together, also when one arrives after its twin has a split", () => {
    const items = dataset(300);
    const keyed = items.map((it) => ({ id: it.id, key: `sha-${it.id}` }));
    // chains of near-duplicates: 0~1~2, 10~11, 20~21~22~23
    const pairs = [
      ["p000000", "p000001"],
      ["p000002", "p000001"],
      ["p000010", "p000011"],
      ["p000020", "p000021"],
      ["p000022", "p000023"],
      ["p000021", "p000022"],
    ] as const;
    const group = groupsFromPairs(keyed, pairs);
    expect(group.get("p000002")).toBe("sha-p000000");
    expect(group.get("p000023")).toBe("sha-p000020");
    const grouped = items.map((it) => ({ ...it, group: group.get(it.id) as string }));
    const { assigned } = assignSplits(grouped, DEFAULT_SPLIT_CONFIG);
    for (const chain of [
      ["p000000", "p000001", "p000002"],
      ["p000010", "p000011"],
      ["p000020", "p000021", "p000022", "p000023"],
    ])
      expect(new Set(chain.map((id) => assigned.get(id))).size).toBe(1);

    // a twin of p000010 arrives later: it joins p000010's split whatever the ratios want
    const done = apply(grouped, assigned);
    const twin: SplitItem = { id: "p999999", group: group.get("p000010") as string, classes: ["slot"], split: null };
    const later = assignSplits([...done, twin], DEFAULT_SPLIT_CONFIG);
    expect(later.assigned.get("p999999")).toBe(assigned.get("p000010"));
  });

  it("reports groups already split across sides, and validates its configuration", () => {
    const items: SplitItem[] = [
      { id: "a", group: "g", classes: [], split: "train" },
      { id: "b", group: "g", classes: [], split: "test" },
      { id: "c", group: "g", classes: [], split: "train" },
      { id: "d", group: "g", classes: [], split: null },
    ];
    const r = assignSplits(items, DEFAULT_SPLIT_CONFIG);
    expect(r.leaks).toEqual([{ group: "g", splits: ["test", "train"], parts: ["a", "b", "c"] }]);
    expect(r.assigned.get("d")).toBe("train");
    expect(
      splitConfigSchema.safeParse({
        splits: [
          { name: "train", ratio: 1 },
          { name: "train", ratio: 1 },
        ],
      }).success,
    ).toBe(false);
    expect(splitConfigSchema.safeParse({ splits: [{ name: "Train", ratio: 1 }] }).success).toBe(false);
    expect(splitConfigSchema.parse({ splits: [{ name: "fold-1", ratio: 1 }] })).toMatchObject({
      seed: "facet",
      stratify: true,
    });
  });
});
