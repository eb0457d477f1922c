import {
  archiveReadme,
  type ExportContext,
  type ExportFormat,
  type ExportPart,
  ExportStats,
  FileStems,
  type FormatWriter,
  type Unrepresented,
} from "./model";

/**
 * A format of files per part (labels beside STEP files) with split lists: each part is written by
 * `write` under a unique file stem, or not at all with the reason `write` gives (named in the README).
 * `lists(split)` is where a split's list of stems goes (one stem per line), `layout` says the rest.
 */
export function perPartWriter(
  ctx: ExportContext,
  format: ExportFormat,
  o: {
    /** Null when written; else why not. `note` records a part written without all its labels. */
    write: (part: ExportPart, stem: string, note: (reason: string) => void) => Promise<string | null>;
    listPath: (split: string) => string;
    layout: string;
  },
): FormatWriter {
  const stats = new ExportStats();
  const stems = new FileStems();
  const unrepresented: Unrepresented[] = [];
  const lists = new Map<string, string[]>();
  return {
    async addPart(part) {
      stats.add(part);
      const stem = stems.of(part);
      let reason: string | null;
      try {
        reason = await o.write(part, stem, (why) =>
          unrepresented.push({ partId: part.partId, name: part.name, reason: `written, but ${why}` }),
        );
      } catch (e) {
        reason = `could not be written: ${(e as Error).message}`;
      }
      if (reason !== null) {
        unrepresented.push({ partId: part.partId, name: part.name, reason });
        return;
      }
      const split = part.split ?? "unassigned";
      lists.set(split, [...(lists.get(split) ?? []), stem]);
    },
    async finish() {
      for (const [split, names] of [...lists].sort(([a], [b]) => a.localeCompare(b)))
        await ctx.sink.file(o.listPath(split), `${names.join("\n")}\n`);
      await ctx.sink.file("README.md", archiveReadme(ctx, format, stats, unrepresented, o.layout));
      return { unrepresented, stats };
    },
  };
}
