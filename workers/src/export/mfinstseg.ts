import type { FileSink } from "./archive";
import { classesOf, classIds, crosswalkOf, type ExportContext, type ExportPart, type FormatWriter } from "./model";
import { perPartWriter } from "./per-part";

/** Past this many faces the dense instance matrix (faces²) is not written. */
export const MFINSTSEG_MAX_FACES = 10_000;

export interface MfinstsegLabels {
  seg: Record<string, number>;
  inst: number[][];
  bottom: Record<string, number>;
}

/**
 * AAGNet's MFInstSeg label file, `[[name, {seg, inst, bottom}]]`, streamed row by row (the
 * instance matrix has faces² entries): `seg` the MFCAD++ class of each face, `inst` a 0/1 matrix
 * whose row i marks the faces of face i's instance (rows of faces in no instance, and of stock
 * instances, are all zero, as AAGNet writes them), `bottom` 1 for bottom faces.
 */
async function writeLabels(
  sink: FileSink,
  path: string,
  stem: string,
  part: ExportPart,
  classes: number[],
  stock: Set<string>,
) {
  const n = classes.length;
  const groupOf: Array<readonly number[] | null> = new Array(n).fill(null);
  const bottom = new Array<number>(n).fill(0);
  for (const inst of part.document.instances) {
    const faces = [...new Set(inst.faces)].sort((a, b) => a - b);
    if (!stock.has(inst.feature)) for (const f of faces) groupOf[f] = faces;
    for (const f of inst.bottomFaces ?? []) bottom[f] = 1;
  }
  const dict = (xs: number[]) => `{${xs.map((v, i) => `"${i}": ${v}`).join(", ")}}`;
  const out = await sink.stream(path);
  await out.write(`[[${JSON.stringify(stem)}, {"seg": ${dict(classes)}, "inst": [`);
  const zeros = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const row = zeros.slice();
    for (const f of groupOf[i] ?? []) row[f] = 1;
    await out.write(`${i > 0 ? ", " : ""}[${row.join(", ")}]`);
  }
  await out.write(`], "bottom": ${dict(bottom)}}]]\n`);
  await out.end();
}

/**
 * AAGNet's MFInstSeg layout: `steps/<name>.step`, `labels/<name>.json` and
 * `MFInstseg_partition/<split>.txt`. Face ids are Facet's face indices (OpenCascade's face order, the
 * order AAGNet's extractor numbers faces in); classes are MFCAD++'s, through the label schema's
 * `mfcadpp` crosswalk.
 */
export function mfinstsegWriter(ctx: ExportContext): FormatWriter {
  const ids = classIds(crosswalkOf(ctx.taxonomy, "mfcadpp"));
  const stock = new Set(ctx.taxonomy.featureTypes.filter((f) => f.isStock).map((f) => f.key));
  return perPartWriter(ctx, "mfinstseg", {
    listPath: (split) => `MFInstseg_partition/${split}.txt`,
    layout:
      "`steps/<name>.step`; `labels/<name>.json` as AAGNet's MFInstSeg writes it: `[[name, {seg: {face: class}, inst: faces×faces 0/1, bottom: {face: 0|1}}]]` (face ids are Facet's face indices, classes MFCAD++'s); `MFInstseg_partition/<split>.txt` lists each split's names.",
    async write(part, stem) {
      const c = classesOf(part, ids, "MFCAD++");
      if (!c.ok) return c.reason;
      if (c.classes.length > MFINSTSEG_MAX_FACES)
        return `${c.classes.length} faces: its instance matrix would hold ${c.classes.length ** 2} entries (at most ${MFINSTSEG_MAX_FACES} faces are written)`;
      if (!ctx.step) throw new Error("no STEP reader");
      await ctx.sink.file(`steps/${stem}.step`, await ctx.step(part));
      await writeLabels(ctx.sink, `labels/${stem}.json`, stem, part, c.classes, stock);
      return null;
    },
  });
}

/** Read an MFInstSeg label file as AAGNet's loader does (dataloader/mfinstseg.py): classes, instances, bottoms. */
export function readMfinstseg(json: string): {
  name: string;
  classes: number[];
  instances: number[][];
  bottom: number[];
} {
  const [[name, labels]] = JSON.parse(json) as [[string, MfinstsegLabels]];
  const n = Object.keys(labels.seg).length;
  if (labels.inst.length !== n || Object.keys(labels.bottom).length !== n)
    throw new Error(`${name}: label sizes differ`);
  const classes = Array.from({ length: n }, (_, i) => labels.seg[String(i)] as number);
  const bottom = Array.from({ length: n }, (_, i) => labels.bottom[String(i)] as number);
  const seen = new Set<string>();
  const instances: number[][] = [];
  for (const row of labels.inst) {
    const g = row.flatMap((v, j) => (v === 1 ? [j] : []));
    if (g.length > 0 && !seen.has(g.join())) {
      seen.add(g.join());
      instances.push(g);
    }
  }
  return { name, classes, instances, bottom };
}
