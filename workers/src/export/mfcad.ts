import { pickleIntList } from "@facet/core";
import { classesOf, classIds, crosswalkOf, type ExportContext, type FormatWriter } from "./model";
import { perPartWriter } from "./per-part";
import { nameFaces } from "./step-names";

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
