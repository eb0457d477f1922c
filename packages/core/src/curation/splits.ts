import { z } from "zod";

/**
 * Train/val/test (or named) splits that never leak a shape across splits and do not move.
 *
 * - A part that has a split keeps it: assignment only ever fills parts without one, so a model's
 *   test set stays its test set as the dataset grows.
 * - Near-duplicate shapes form a group (union of every pair closer than the fingerprint's
 *   threshold); a group lives in one split. A new part joining a group that already has a split
 *   takes that split, whatever the ratios say.
 * - New groups are placed one by one, the rarest feature class first, in the order of a seeded
 *   hash of their key (so the same data and seed always give the same splits), each into the split
 *   furthest below its target share for the classes the group holds (stratification by feature
 *   class presence) and for its size.
 */

/** As parts_split_check says. */
export const SPLIT_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export const splitNameSchema = z
  .string()
  .regex(SPLIT_NAME_PATTERN, "a split name is lower-case letters, digits, - or _, starting with a letter");

export const splitConfigSchema = z
  .object({
    seed: z.string().min(1).max(64).default("facet"),
    splits: z
      .array(z.object({ name: splitNameSchema, ratio: z.number().positive().max(1000) }))
      .min(1)
      .max(16),
    stratify: z.boolean().default(true),
    groupNearDuplicates: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const names = c.splits.map((s) => s.name);
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: "custom", path: ["splits"], message: "each split is named once" });
  });

export type SplitConfig = z.infer<typeof splitConfigSchema>;

export const DEFAULT_SPLIT_CONFIG: SplitConfig = {
  seed: "facet",
  splits: [
    { name: "train", ratio: 0.8 },
    { name: "val", ratio: 0.1 },
    { name: "test", ratio: 0.1 },
  ],
  stratify: true,
  groupNearDuplicates: true,
};

/** 32-bit hash of a string (FNV-1a with a murmur3 finaliser): same input, same number, everywhere. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Near-duplicate groups from pairs: every item gets the key of its group, the smallest member key
 * (a content hash, say), so the name of a group does not depend on the order things were found in.
 */
export function groupsFromPairs(
  items: readonly { id: string; key: string }[],
  pairs: readonly (readonly [string, string])[],
): Map<string, string> {
  const parent = new Map<string, string>();
  for (const it of items) parent.set(it.id, it.id);
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur) as string;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  for (const [a, b] of pairs) {
    if (!parent.has(a) || !parent.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const keyOfRoot = new Map<string, string>();
  for (const it of items) {
    const r = find(it.id);
    const k = keyOfRoot.get(r);
    if (k === undefined || it.key < k) keyOfRoot.set(r, it.key);
  }
  return new Map(items.map((it) => [it.id, keyOfRoot.get(find(it.id)) as string]));
}

export interface SplitItem {
  id: string;
  /** The near-duplicate group (groupsFromPairs), or the item's own key when not grouping. */
  group: string;
  /** Feature classes the part's labels hold. */
  classes: readonly string[];
  /** The split it has (kept), or null. */
  split: string | null;
}

export interface SplitLeak {
  group: string;
  splits: string[];
  parts: string[];
}

export interface SplitAssignment {
  /** The split of every part that had none (parts that had one keep it and are not listed). */
  assigned: Map<string, string>;
  /** Groups whose parts were already in different splits before (a shape seen on both sides). */
  leaks: SplitLeak[];
}

/** Place the parts without a split (see the module comment); pure and deterministic. */
export function assignSplits(items: readonly SplitItem[], config: SplitConfig): SplitAssignment {
  const names = config.splits.map((s) => s.name);
  const total = config.splits.reduce((a, s) => a + s.ratio, 0);
  const ratio = new Map(config.splits.map((s) => [s.name, s.ratio / total]));

  const groups = new Map<string, SplitItem[]>();
  for (const it of items) {
    const g = groups.get(it.group);
    if (g) g.push(it);
    else groups.set(it.group, [it]);
  }

  // totals per class over everything, and what each split holds already
  const classTotal = new Map<string, number>();
  const have = new Map<string, Map<string, number>>(names.map((n) => [n, new Map()]));
  const size = new Map<string, number>(names.map((n) => [n, 0]));
  const count = (split: string, it: SplitItem) => {
    if (!have.has(split)) {
      have.set(split, new Map());
      size.set(split, 0);
    }
    size.set(split, (size.get(split) ?? 0) + 1);
    const h = have.get(split) as Map<string, number>;
    for (const c of it.classes) h.set(c, (h.get(c) ?? 0) + 1);
  };
  for (const it of items) {
    for (const c of it.classes) classTotal.set(c, (classTotal.get(c) ?? 0) + 1);
    if (it.split) count(it.split, it);
  }

  const assigned = new Map<string, string>();
  const leaks: SplitLeak[] = [];
  const open: { key: string; members: SplitItem[]; rarest: number; hash: number }[] = [];
  for (const [key, members] of groups) {
    const held = new Map<string, number>();
    for (const m of members) if (m.split) held.set(m.split, (held.get(m.split) ?? 0) + 1);
    if (held.size > 1)
      leaks.push({
        group: key,
        splits: [...held.keys()].sort(),
        parts: members.filter((m) => m.split).map((m) => m.id),
      });
    const waiting = members.filter((m) => !m.split);
    if (waiting.length === 0) continue;
    if (held.size > 0) {
      // the group's split: the one most of its parts have (ties: the configured order)
      const best = [...held.entries()].sort(
        (a, b) => b[1] - a[1] || order(names, a[0]) - order(names, b[0]) || (a[0] < b[0] ? -1 : 1),
      )[0]?.[0] as string;
      for (const m of waiting) {
        assigned.set(m.id, best);
        count(best, m);
      }
      continue;
    }
    const classes = new Set(waiting.flatMap((m) => m.classes));
    const rarest =
      classes.size === 0 ? Number.POSITIVE_INFINITY : Math.min(...[...classes].map((c) => classTotal.get(c) ?? 0));
    open.push({ key, members: waiting, rarest, hash: stableHash(`${config.seed}\u0000${key}`) });
  }
  open.sort((a, b) => a.rarest - b.rarest || a.hash - b.hash || (a.key < b.key ? -1 : 1));

  const n = items.length;
  for (const g of open) {
    const groupClasses = new Map<string, number>();
    for (const m of g.members) for (const c of m.classes) groupClasses.set(c, (groupClasses.get(c) ?? 0) + 1);
    let best = names[0] as string;
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestTie = 0;
    for (const name of names) {
      const r = ratio.get(name) as number;
      // how much of its target the split still lacks (1: empty, 0: full, below 0: over), for its
      // size and on average for the classes the group holds, so rare classes count as much
      let score = 1 - (size.get(name) ?? 0) / (r * n);
      if (config.stratify && groupClasses.size > 0) {
        let classes = 0;
        for (const [c] of groupClasses) classes += 1 - (have.get(name)?.get(c) ?? 0) / (r * (classTotal.get(c) ?? 1));
        score += classes / groupClasses.size;
      }
      const tie = stableHash(`${config.seed}\u0000${g.key}\u0000${name}`);
      if (score > bestScore + 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && tie < bestTie)) {
        best = name;
        bestScore = score;
        bestTie = tie;
      }
    }
    for (const m of g.members) {
      assigned.set(m.id, best);
      count(best, m);
    }
  }
  return { assigned, leaks };
}

function order(names: readonly string[], name: string): number {
  const i = names.indexOf(name);
  return i < 0 ? names.length : i;
}

/** What assigning splits reports (the curation:split job's result). */
export interface SplitOutcome {
  parts: number;
  /** Parts given a split this time. */
  assigned: number;
  groups: number;
  /** Groups of near-duplicates that held more than one part. */
  nearDuplicateGroups: number;
  leaks: SplitLeak[];
  perSplit: Record<string, number>;
}
