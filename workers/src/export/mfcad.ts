import { classesOf, classIds, crosswalkOf, type ExportContext, type FormatWriter } from "./model";
import { perPartWriter } from "./per-part";
import { nameFaces } from "./step-names";

/**
 * A Python pickle (protocol 3, as MFCAD's `.face_truth` files are) of a list of small non-negative
 * integers: appended in batches of 1000 as Python's pickler does.
 */
export function pickleIntList(values: readonly number[]): Uint8Array {
  const out: number[] = [0x80, 0x03, 0x5d, 0x71, 0x00];
  for (let i = 0; i < values.length; i += 1000) {
    const batch = values.slice(i, i + 1000);
    if (batch.length > 1) out.push(0x28);
    for (const v of batch) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`${v} is not a class id`);
      if (v < 0x100) out.push(0x4b, v);
      else if (v < 0x10000) out.push(0x4d, v & 0xff, v >> 8);
      else out.push(0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    }
    out.push(batch.length > 1 ? 0x65 : 0x61);
  }
  out.push(0x2e);
  return new Uint8Array(out);
}

/**
 * MFCAD's layout: `mfcad/<name>.step` beside `mfcad/<name>.face_truth` (the MFCAD class of each face
 * id, the id being the face's `ADVANCED_FACE` name), and `splits/<split>.txt`. A file whose faces
 * are named 0..n-1 already (MFCAD's own) is shipped as it is; any other has its faces renamed by
 * Facet's face index. `facet import-labels --format mfcad mfcad/` reads it back.
 */
export function mfcadWriter(ctx: ExportContext): FormatWriter {
  const ids = classIds(crosswalkOf(ctx.taxonomy, "mfcad"));
  return perPartWriter(ctx, "mfcad", {
    listPath: (split) => `splits/${split}.txt`,
    layout:
      "`mfcad/<name>.step` and `mfcad/<name>.face_truth` (a Python pickle: the MFCAD class of each face id, the id being the face's ADVANCED_FACE name; classes in the order of the label schema's `mfcad` crosswalk); `splits/<split>.txt` lists each split's names.",
    async write(part, stem) {
      const c = classesOf(part, ids, "MFCAD");
      if (!c.ok) return c.reason;
      if (!part.faces || part.faces.faceCount !== c.classes.length) return "no faces file with its face numbering";
      if (!ctx.step) throw new Error("no STEP reader");
      const step = await ctx.step(part);
      const names = part.faces.faces.map((f) =>
        f.stepName !== null && /^\d+$/.test(f.stepName) ? Number(f.stepName) : -1,
      );
      const ordered = names.every((n) => n >= 0 && n < names.length) && new Set(names).size === names.length;
      let truth: number[];
      let file: Uint8Array;
      if (ordered) {
        truth = new Array(names.length);
        names.forEach((id, i) => {
          truth[id] = c.classes[i] as number;
        });
        file = step;
      } else {
        truth = c.classes;
        file = await nameFaces(
          step,
          part.faces.faces,
          part.faces.faces.map((_, i) => String(i)),
          ctx.probeFaces,
        );
      }
      await ctx.sink.file(`mfcad/${stem}.step`, file);
      await ctx.sink.file(`mfcad/${stem}.face_truth`, pickleIntList(truth));
      return null;
    },
  });
}
