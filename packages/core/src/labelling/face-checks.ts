import { z } from "zod";

/**
 * What the annotator did with each pre-labelled face, as the revision stores it
 * (`annotation_revisions.face_checks`): changed its label, confirmed it explicitly, kept it after
 * looking at it, or kept it without a look. The database computes `changed` itself from the labels.
 */
export const FACE_CHECKS = ["changed", "confirmed", "seen", "unseen"] as const;
export type FaceCheck = (typeof FACE_CHECKS)[number];
export const faceCheckSchema = z.enum(FACE_CHECKS);

/** What the annotator marked on a face the pre-label's label still stands on. */
export type FaceMark = "confirmed" | "seen";

/** How people read each check. */
export const FACE_CHECK_LABELS: Record<FaceCheck, string> = {
  changed: "changed",
  confirmed: "confirmed",
  seen: "kept after a look",
  unseen: "accepted unseen",
};

type Label = string | null;

/**
 * Each face's check against the pre-label (`pre`, on the same face numbering): changed where the
 * label differs, else the annotator's mark, else unseen. Null without a pre-label.
 */
export function faceChecks(
  labels: readonly Label[],
  pre: readonly Label[] | null,
  marks: ReadonlyMap<number, FaceMark>,
): FaceCheck[] | null {
  if (!pre) return null;
  return labels.map((l, f) => (l !== (pre[f] ?? null) ? "changed" : (marks.get(f) ?? "unseen")));
}

/** The marks a saved revision's checks carry forward (confirmed and seen faces). */
export function marksFromChecks(checks: readonly FaceCheck[] | null | undefined): Map<number, FaceMark> {
  const marks = new Map<number, FaceMark>();
  checks?.forEach((c, f) => {
    if (c === "confirmed" || c === "seen") marks.set(f, c);
  });
  return marks;
}

/** The faces the models were unsure of: confidence below `threshold`, least confident first (then by index). */
export function unsureFaces(confidence: readonly number[], threshold: number): number[] {
  return confidence
    .flatMap((c, f) => (Number.isFinite(c) && c < threshold ? [f] : []))
    .sort((a, b) => (confidence[a] as number) - (confidence[b] as number) || a - b);
}

/**
 * The unsure faces that still need a decision before submission: the pre-label's label stands and
 * nobody confirmed it (the database's `parts_submission_checked` rule), in the order of `unsure`.
 */
export function unconfirmedFaces(
  unsure: readonly number[],
  labels: readonly Label[],
  pre: readonly Label[],
  marks: ReadonlyMap<number, FaceMark>,
): number[] {
  return unsure.filter((f) => (labels[f] ?? null) === (pre[f] ?? null) && marks.get(f) !== "confirmed");
}

/** How many faces have each check. */
export function checkCounts(checks: readonly FaceCheck[]): Record<FaceCheck, number> {
  const out: Record<FaceCheck, number> = { changed: 0, confirmed: 0, seen: 0, unseen: 0 };
  for (const c of checks) out[c]++;
  return out;
}
