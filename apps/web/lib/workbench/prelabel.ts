/**
 * sRGB bytes per face for the confidence view: red where the models were unsure, through amber, to
 * green where they were sure. Faces without a confidence are grey.
 */
export function confidenceColours(confidence: readonly (number | null | undefined)[], faceCount: number): Uint8Array {
  const out = new Uint8Array(faceCount * 3);
  const red: [number, number, number] = [214, 48, 49];
  const amber: [number, number, number] = [240, 173, 40];
  const green: [number, number, number] = [46, 160, 67];
  for (let f = 0; f < faceCount; f++) {
    const c = confidence[f];
    if (c === null || c === undefined || !Number.isFinite(c)) {
      out.set([170, 170, 170], f * 3);
      continue;
    }
    const t = Math.min(1, Math.max(0, c));
    const [a, b, u] = t < 0.5 ? [red, amber, t / 0.5] : [amber, green, (t - 0.5) / 0.5];
    out.set(
      [0, 1, 2].map((k) => Math.round((a[k] as number) + ((b[k] as number) - (a[k] as number)) * u)),
      f * 3,
    );
  }
  return out;
}

/** The item after `current` in `list` (the first when `current` is not in it), wrapping round. */
export function nextInList(list: readonly number[], current: number | null): number | null {
  if (list.length === 0) return null;
  const at = current === null ? -1 : list.indexOf(current);
  return list[(at + 1) % list.length] as number;
}

/** Faces on which several models' top classes differ. */
export function disagreeingFaces(disagreement: readonly number[] | undefined): number[] {
  return (disagreement ?? []).flatMap((d, f) => (d > 0 ? [f] : []));
}
