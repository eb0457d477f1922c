import { classIds, crosswalkOf, type ExportContext, type FormatWriter } from "./model";
import { perPartWriter } from "./per-part";
import { nameFaces } from "./step-names";

/**
 * STEP files labelled as MFCAD++ ships them: each `ADVANCED_FACE`'s name is the MFCAD++ class id of
 * the face (through the label schema's `mfcadpp` crosswalk); the rest of the file is unchanged byte
 * for byte. A face unlabelled, or labelled with a class MFCAD++ lacks, is named '' and the part is
 * named in the README.
 */
export function stepWriter(ctx: ExportContext): FormatWriter {
  const ids = classIds(crosswalkOf(ctx.taxonomy, "mfcadpp"));
  return perPartWriter(ctx, "step", {
    listPath: (split) => `splits/${split}.txt`,
    layout:
      "`step/<name>.step`: the part's STEP file with each ADVANCED_FACE named by its face's MFCAD++ class id (MFCAD++'s convention: 0 chamfer … 24 stock, the label schema's `mfcadpp` crosswalk); '' where a face has no such class. `splits/<split>.txt` lists each split's names.",
    async write(part, stem, note) {
      if (!part.faces || part.faces.faceCount !== part.document.labels.length)
        return "no faces file with its face numbering";
      if (!ctx.step) throw new Error("no STEP reader");
      const names = part.document.labels.map((l) => (l === null ? "" : String(ids.get(l) ?? "")));
      const file = await nameFaces(await ctx.step(part), part.faces.faces, names, ctx.probeFaces);
      await ctx.sink.file(`step/${stem}.step`, file);
      const missing = part.document.labels.filter((l) => l === null || !ids.has(l));
      if (missing.length > 0)
        note(
          `${missing.length} face(s) named '' (${[...new Set(missing.map((l) => l ?? "unlabelled"))].join(", ")}: no MFCAD++ class)`,
        );
      return null;
    },
  });
}
