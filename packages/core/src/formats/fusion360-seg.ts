/**
 * Fusion 360 Gallery's segmentation dataset (s2.0.0): `<name>.stp` with `<name>.seg` beside it, one
 * class index per line, one line per face in the order OpenCascade explores the solid's faces (the
 * order Facet numbers faces in). Classes are modelling operations, not machining features.
 */

import { DEFAULT_TAXONOMY } from "../taxonomy";

const snakeCase = (name: string) => name.replace(/(?<=[a-z0-9])([A-Z])/g, "_$1").toLowerCase();

/**
 * The dataset's classes in index order (BRepNet's `segment_names.json`, as the default taxonomy's
 * crosswalk lists them), each with the feature key Facet uses for it: the crosswalk's counterpart
 * (fillet, chamfer), else the name in snake_case (ExtrudeSide: extrude_side).
 */
export const FUSION360_SEG_CLASSES: readonly { name: string; key: string }[] = (
  DEFAULT_TAXONOMY.crosswalks.fusion360_segmentation?.classes ?? []
).map((c) => ({ name: c.name, key: c.feature ?? snakeCase(c.name) }));

/** The feature keys of the eight classes, in index order. */
export const FUSION360_SEG_KEYS: readonly string[] = FUSION360_SEG_CLASSES.map((c) => c.key);

/** The class index of each face from a `.seg` file's text; anything but one known index per line is refused. */
export function readSegFile(text: string): number[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line, i) => {
    const n = /^\s*\d+\s*$/.test(line) ? Number(line) : Number.NaN;
    if (!Number.isInteger(n) || n >= FUSION360_SEG_CLASSES.length)
      throw new Error(
        `line ${i + 1} is ${JSON.stringify(line.slice(0, 20))}, not a class index from 0 to ${FUSION360_SEG_CLASSES.length - 1}`,
      );
    return n;
  });
}

/** Each face's feature key from a `.seg` file, checked against the part's face count. */
export function fusion360SegLabels(text: string, faceCount: number): string[] {
  const classes = readSegFile(text);
  if (classes.length !== faceCount)
    throw new Error(`${classes.length} labels for ${faceCount} faces: the .seg file does not belong to this solid`);
  return classes.map((c) => FUSION360_SEG_KEYS[c] as string);
}
