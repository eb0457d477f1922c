import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Api, CliError } from "../http";
import { wsPath } from "./pull";
import { table } from "./query";

/** What the predict endpoint answers (apps/web/lib/learning/prediction.ts). */
export interface Prediction {
  model: { id: string; version: string };
  faceSignature: string;
  classes: string[];
  faces: Array<{ index: number; label: string; confidence: number; stepName: string | null }>;
  instances: Array<{ feature: string; faces: number[]; confidence: number; params: Record<string, number> }>;
  ms: { tessellation: number | null; prediction: number };
}

/**
 * `facet predict FILE.step [--dataset D] [--model VERSION]`: sends the STEP file to the server, which
 * tessellates it and runs the dataset's learned model (the one in use, or the named version).
 */
export async function predict(
  api: Api,
  opts: { workspace: string; file: string; dataset: string | null; model: string | null },
): Promise<Prediction> {
  let bytes: Buffer;
  try {
    bytes = await readFile(opts.file);
  } catch (e) {
    throw new CliError(
      "USAGE",
      `cannot read ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const q = new URLSearchParams();
  if (opts.dataset) q.set("dataset", opts.dataset);
  if (opts.model) q.set("model", opts.model);
  const query = q.size > 0 ? `?${q}` : "";
  return api.call<Prediction>("POST", `${wsPath(opts.workspace)}/predict${query}`, {
    bytes: new Uint8Array(bytes),
    contentType: "application/step",
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The prediction as a table: face, label, confidence (and STEP name), then the instances. */
export function describePrediction(file: string, p: Prediction): string {
  const rows = p.faces.map((f) => [String(f.index), f.label, pct(f.confidence), f.stepName ?? "-"]);
  const instances = p.instances.map((i) => `  ${i.feature} (${pct(i.confidence)}): faces ${i.faces.join(", ")}`);
  return [
    `${path.basename(file)}: ${p.faces.length} face(s) labelled by ${p.model.id} ${p.model.version}`,
    table(["FACE", "LABEL", "CONFIDENCE", "STEP NAME"], rows),
    ...(instances.length ? [`${instances.length} instance(s):`, ...instances] : ["no instances"]),
    `tessellation ${p.ms.tessellation ?? "-"} ms, prediction ${p.ms.prediction} ms`,
  ].join("\n");
}
