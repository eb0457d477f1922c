import type { FeatureType } from "@facet/core";

export function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * sRGB bytes per face for the viewer: a labelled face takes its feature's colour; unlabelled faces
 * are a warm light grey, slightly different from face to face so neighbouring faces stay readable.
 */
export function faceColours(labels: readonly (string | null)[], features: readonly FeatureType[]): Uint8Array {
  const byKey = new Map(features.map((f) => [f.key, hexToRgb(f.colour)]));
  const out = new Uint8Array(labels.length * 3);
  for (let f = 0; f < labels.length; f++) {
    const label = labels[f];
    const rgb = label ? byKey.get(label) : undefined;
    if (rgb) {
      out.set(rgb, f * 3);
    } else {
      const shade = 206 + ((f * 37) % 5) * 6;
      out.set([shade + 10, shade + 4, shade - 6], f * 3);
    }
  }
  return out;
}
