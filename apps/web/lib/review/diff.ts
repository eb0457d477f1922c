import { type FaceChange, type FeatureType, faceDiff } from "@facet/core";

/** What the reviewer compares the labels under review with. */
export type DiffMode = "labels" | "prelabel" | "previous";

/** Labels of a revision the labels under review can be compared with. */
export interface DiffBase {
  revisionNo: number;
  /** The face numbering the labels refer to. */
  faceSignature: string;
  labels: ReadonlyArray<string | null>;
}

export interface DiffModeOption {
  mode: DiffMode;
  label: string;
  /** The labels compared with (null for the plain labels). */
  base: DiffBase | null;
  /** Why the mode cannot be chosen, or null when it can. */
  disabledReason: string | null;
}

export const DIFF_MODE_LABELS: Record<DiffMode, string> = {
  labels: "Labels",
  prelabel: "Changes vs pre-label",
  previous: "Changes vs previous submission",
};

/**
 * The three ways to look at the labels under review. A comparison is possible only with labels of
 * the same face numbering (a part processed again numbers its faces anew).
 */
export function diffModeOptions(input: {
  faceSignature: string;
  prelabel: DiffBase | null;
  previous: DiffBase | null;
}): DiffModeOption[] {
  const reason = (base: DiffBase | null, none: string, what: string): string | null => {
    if (!base) return none;
    if (base.faceSignature !== input.faceSignature) {
      return `The ${what} was made on another face numbering (the part was processed again since).`;
    }
    return null;
  };
  return [
    { mode: "labels", label: DIFF_MODE_LABELS.labels, base: null, disabledReason: null },
    {
      mode: "prelabel",
      label: DIFF_MODE_LABELS.prelabel,
      base: input.prelabel,
      disabledReason: reason(
        input.prelabel,
        "There is no pre-label: the annotator started from unlabelled faces.",
        "pre-label",
      ),
    },
    {
      mode: "previous",
      label: DIFF_MODE_LABELS.previous,
      base: input.previous,
      disabledReason: reason(
        input.previous,
        "There is no previous submission: this part was never sent back.",
        "previous submission",
      ),
    },
  ];
}

/** Labels fitted to the part's face count: missing faces are unlabelled, extra entries dropped. */
export function fitLabels(labels: ReadonlyArray<string | null>, faceCount: number): (string | null)[] {
  return Array.from({ length: faceCount }, (_, f) => labels[f] ?? null);
}

/** The face diff of the labels under review against a mode's base, or null for the plain labels. */
export function diffFor(
  option: DiffModeOption | undefined,
  current: ReadonlyArray<string | null>,
): FaceChange[] | null {
  if (!option || option.mode === "labels" || !option.base || option.disabledReason) return null;
  return faceDiff(current, fitLabels(option.base.labels, current.length));
}

export type Rgb = readonly [number, number, number];

/** Diff colours: added green, removed red, changed amber; unchanged faces light grey. */
export const DIFF_COLOURS: Record<FaceChange, Rgb> = {
  added: [47, 158, 68],
  removed: [224, 49, 49],
  changed: [245, 159, 0],
  same: [222, 224, 228],
};

export const DIFF_KIND_LABELS: Record<FaceChange, string> = {
  added: "Added",
  removed: "Removed",
  changed: "Changed",
  same: "Unchanged",
};

/**
 * sRGB bytes per face for a view of kinds (a diff, the annotator's checks): a face takes its kind's
 * colour; faces of the `quiet` kind (and faces `kinds` does not cover) are its colour slightly
 * varied from face to face, so neighbours stay readable.
 */
export function kindColours<K extends string>(
  kinds: ReadonlyArray<K | null | undefined>,
  palette: Record<K, Rgb>,
  quiet: K,
  faceCount: number = kinds.length,
): Uint8Array {
  const out = new Uint8Array(faceCount * 3);
  for (let f = 0; f < faceCount; f++) {
    const kind = kinds[f] ?? quiet;
    if (kind === quiet) {
      const d = ((f * 37) % 5) * 4;
      const [r, g, b] = palette[quiet];
      out.set([r - d, g - d, b - d], f * 3);
    } else {
      out.set(palette[kind], f * 3);
    }
  }
  return out;
}

/**
 * sRGB bytes per face for the viewer in a diff mode: a face takes its kind of change's colour;
 * unchanged faces are light grey, slightly different from face to face so neighbours stay readable.
 * Faces the diff does not cover count as unchanged.
 */
export function diffColours(diff: ReadonlyArray<FaceChange>, faceCount: number = diff.length): Uint8Array {
  return kindColours(diff, DIFF_COLOURS, "same", faceCount);
}

/** A label as a person reads it: the feature's name, "unlabelled", or the key of an unknown feature. */
export function featureName(key: string | null | undefined, features: ReadonlyMap<string, FeatureType>): string {
  if (key === null || key === undefined) return "unlabelled";
  return features.get(key)?.name ?? key;
}

/** "face 12: Blind hole ← Through hole" (now ← before); "face 3: Stock (unchanged)" when it did not change. */
export function describeChange(
  face: number,
  now: string | null | undefined,
  before: string | null | undefined,
  features: ReadonlyMap<string, FeatureType>,
): string {
  const a = featureName(now, features);
  if ((now ?? null) === (before ?? null)) return `face ${face}: ${a} (unchanged)`;
  return `face ${face}: ${a} ← ${featureName(before, features)}`;
}
