import { FACE_CHECK_LABELS, type FaceCheck } from "@facet/core";
import { kindColours, type Rgb } from "./diff";

/** Check colours: changed blue, confirmed green, kept after a look amber; accepted unseen light grey. */
export const CHECK_COLOURS: Record<FaceCheck, Rgb> = {
  changed: [34, 114, 214],
  confirmed: [47, 158, 68],
  seen: [245, 159, 0],
  unseen: [222, 224, 228],
};

/** As a list reads them: "Changed", "Confirmed", "Kept after a look", "Accepted unseen". */
export const CHECK_NAMES: Record<FaceCheck, string> = Object.fromEntries(
  Object.entries(FACE_CHECK_LABELS).map(([k, v]) => [k, v.charAt(0).toUpperCase() + v.slice(1)]),
) as Record<FaceCheck, string>;

/** sRGB bytes per face for the checks view (faces without a check: as accepted unseen). */
export function checkColours(checks: readonly FaceCheck[], faceCount: number = checks.length): Uint8Array {
  return kindColours(checks, CHECK_COLOURS, "unseen", faceCount);
}
