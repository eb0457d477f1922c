import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_TAXONOMY, labelsByStepName, readPickledIntList } from "@facet/core";
import { tessellateStep } from "@facet/geometry";
import { loadGeometryKernel } from "@facet/geometry/node";
import {
  type EvaluatedPart,
  type Evaluation,
  evaluate,
  inputFromFacesDocument,
  RULE_CLASSES,
  RULES_MODEL,
  recognise,
} from "@facet/prelabel";
import { CliError } from "../http";
import { Progress } from "../progress";

export interface PrelabelEvaluation extends Evaluation {
  format: "mfcad";
  model: { id: string; version: string };
  /** Parts that could not be evaluated (unreadable STEP, labels that do not fit its faces, a crash). */
  crashed: number;
  crashes: { name: string; message: string }[];
  seconds: { total: number; tessellation: number; prelabel: number };
}

/**
 * `facet eval-prelabel --format mfcad DIR`: the built-in recogniser on every `<name>.step` with a
 * `<name>.face_truth` beside it, without a server: tessellate as the worker does, pre-label, and
 * score each face against the truth joined through the STEP face names.
 */
export async function evalPrelabel(opts: { dir: string; json: boolean }): Promise<PrelabelEvaluation> {
  const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad;
  if (!crosswalk) throw new CliError("INTERNAL", "the default taxonomy has no MFCAD crosswalk");
  const entries = await readdir(opts.dir).catch(() => {
    throw new CliError("USAGE", `cannot read the folder ${opts.dir}`);
  });
  const steps = new Map(
    entries.filter((f) => /\.(step|stp)$/i.test(f)).map((f) => [f.replace(/\.(step|stp)$/i, ""), f] as const),
  );
  const names = entries
    .filter((f) => f.endsWith(".face_truth") && steps.has(f.slice(0, -".face_truth".length)))
    .map((f) => f.slice(0, -".face_truth".length))
    .sort();
  if (names.length === 0) {
    throw new CliError("USAGE", `${opts.dir} holds no <name>.step with a <name>.face_truth beside it`);
  }
  const started = performance.now();
  const oc = await loadGeometryKernel();
  const progress = new Progress("evaluate", names.length, process.stderr, !opts.json);
  const parts: EvaluatedPart[] = [];
  const crashes: PrelabelEvaluation["crashes"] = [];
  let tessellation = 0;
  let prelabel = 0;
  for (const [i, name] of names.entries()) {
    progress.update(i, name);
    try {
      const classes = readPickledIntList(await readFile(path.join(opts.dir, `${name}.face_truth`)));
      const bytes = await readFile(path.join(opts.dir, steps.get(name) as string));
      const t0 = performance.now();
      const { document } = tessellateStep(oc, bytes);
      const t1 = performance.now();
      const result = recognise(inputFromFacesDocument(document));
      prelabel += performance.now() - t1;
      tessellation += t1 - t0;
      const truth = labelsByStepName(crosswalk, document.faces, classes);
      const missing = truth.filter((t) => t === null).length;
      if (missing > 0) throw new Error(`${missing} of ${truth.length} faces have no label in ${name}.face_truth`);
      const predicted = result.probabilities.map((row) => result.classes[row.indexOf(Math.max(...row))] ?? null);
      parts.push({ name, predicted, truth });
    } catch (e) {
      crashes.push({ name, message: (e as Error).message ?? String(e) });
    }
  }
  progress.done();
  const scores = evaluate(parts, [...RULE_CLASSES]);
  const round = (ms: number) => Math.round(ms) / 1000;
  return {
    format: "mfcad",
    model: { ...RULES_MODEL },
    ...scores,
    parts: names.length,
    crashed: crashes.length,
    crashes,
    seconds: {
      total: round(performance.now() - started),
      tessellation: round(tessellation),
      prelabel: round(prelabel),
    },
  };
}

const pct = (x: number | null) => (x === null ? "   –  " : `${(x * 100).toFixed(1).padStart(5)}%`);

/** The evaluation as a person reads it: summary, per-class scores, confusion matrix, failures. */
export function describeEvaluation(e: PrelabelEvaluation): string {
  const lines = [
    `${e.model.id} ${e.model.version} on ${e.parts} part(s), ${e.faces} face(s): face accuracy ${pct(e.faceAccuracy).trim()}, mean IoU ${pct(e.meanIoU).trim()}, ${e.crashed} crashed`,
    "",
    `${"class".padEnd(28)} ${"faces".padStart(6)} ${"precision".padStart(9)} ${"recall".padStart(7)} ${"IoU".padStart(7)}`,
  ];
  for (const [c, s] of Object.entries(e.perClass)) {
    lines.push(
      `${c.padEnd(28)} ${String(s.support).padStart(6)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.iou).padStart(7)}`,
    );
  }
  // the matrix over classes that occur, numbered to keep it narrow
  const used = e.confusion.classes.map((c, i) => [c, i] as const).filter(([c]) => e.perClass[c]);
  lines.push("", "confusion (rows: truth, columns: predicted)");
  lines.push(`${"".padEnd(32)}${used.map((_, k) => String(k + 1).padStart(5)).join("")}`);
  used.forEach(([c, i], k) => {
    const row = used.map(([, j]) => String(e.confusion.matrix[i]?.[j] || ".").padStart(5)).join("");
    lines.push(`${String(k + 1).padStart(2)} ${c.padEnd(29)}${row}`);
  });
  if (e.failures.length > 0) {
    lines.push("", `parts with wrong faces (${e.failures.length}):`);
    for (const f of e.failures.slice(0, 20)) {
      const what = Object.entries(f.mistakes)
        .map(([k, n]) => `${k} ×${n}`)
        .join(", ");
      lines.push(`  ${f.name}: ${f.wrong} of ${f.faces} wrong (${what})`);
    }
  }
  for (const c of e.crashes) lines.push(`  ✗ ${c.name}: ${c.message}`);
  lines.push(
    "",
    `${e.seconds.total.toFixed(1)} s (tessellation ${e.seconds.tessellation.toFixed(1)} s, pre-labelling ${e.seconds.prelabel.toFixed(2)} s)`,
  );
  return lines.join("\n");
}
