import type { LabelState } from "./label-state";

/** Faces per feature key, in order of first appearance. */
export function labelCounts(state: LabelState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of state.labels) if (l !== null) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}

/** Indices of the faces without a label, ascending. */
export function unlabelledFaces(state: LabelState): number[] {
  const out: number[] = [];
  state.labels.forEach((l, i) => {
    if (l === null) out.push(i);
  });
  return out;
}

/** The next unlabelled face after `after` (wrapping around; null = from the start), or null when all are labelled. */
export function nextUnlabelled(state: LabelState, after: number | null): number | null {
  const n = state.labels.length;
  if (n === 0) return null;
  const from = after === null || !Number.isInteger(after) || after < 0 || after >= n ? -1 : after;
  for (let k = 1; k <= n; k++) {
    const i = (from + k) % n;
    if (state.labels[i] === null) return i;
  }
  return null;
}
