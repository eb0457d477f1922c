import type { PrelabelInput } from "../types";

/** A part with the label its approved annotation gives each face (a feature key; null = none). */
export interface LabelledPart {
  /** Unique among the parts given (a part id or a file name): folds and hold-outs follow it. */
  name: string;
  input: PrelabelInput;
  labels: readonly (string | null)[];
}
