import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type Crosswalk, DEFAULT_TAXONOMY, labelsByStepName, readPickledIntList } from "@facet/core";
import { findStepFiles, sha256File } from "../files";
import { type Api, CliError } from "../http";
import { Progress } from "../progress";

interface PartInfo {
  id: string;
  name: string;
  status: string;
}
interface FacesDoc {
  faceCount: number;
  signature: string;
  faces: Array<{ index: number; stepName: string | null }>;
}
interface PartDetail {
  part: { name: string; status: string; blobSha256: string };
  urls: { faces: string } | null;
}

export const LABEL_FORMATS = ["mfcad", "step"] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

export interface ImportSummary {
  format: LabelFormat;
  files: number;
  imported: number;
  failed: number;
  failures: Array<{ file: string; message: string }>;
}

/** One label file: which part it labels, and how its labels are read against the part's faces. */
interface LabelSource {
  /** As reported (relative to the folder). */
  file: string;
  /** The names the part may have in the dataset, in order of preference. */
  partNames: string[];
  /** The labels of the part's faces in Facet's numbering, and what to record of where they came from. */
  labels(part: PartDetail, faces: FacesDoc): Promise<{ labels: (string | null)[]; provenance: object }>;
}

const crosswalk = (name: "mfcad" | "mfcadpp"): Crosswalk => {
  const c = DEFAULT_TAXONOMY.crosswalks[name];
  if (!c) throw new CliError("INTERNAL", `the default taxonomy has no ${name} crosswalk`);
  return c;
};

/**
 * MFCAD: each `<name>.face_truth` (a class per face id, the id being the ADVANCED_FACE name) is
 * joined to the faces of the part `<name>.step` through their STEP entity names.
 */
async function mfcadSources(dir: string): Promise<LabelSource[]> {
  const cw = crosswalk("mfcad");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".face_truth")).sort();
  return files.map((file) => {
    const stem = file.slice(0, -".face_truth".length);
    return {
      file,
      partNames: [`${stem}.step`, `${stem}.stp`],
      async labels(part, faces) {
        const classes = readPickledIntList(await readFile(path.join(dir, file)));
        const labels = labelsByStepName(cw, faces.faces, classes);
        const missing = labels.filter((l) => l === null).length;
        if (missing > 0) throw new Error(`${missing} face(s) of ${part.part.name} have no label in ${file}`);
        return { labels, provenance: { format: "mfcad", file, classes } };
      },
    };
  });
}

/**
 * Labelled STEP as MFCAD++ ships it (and `facet export --format step` writes it): each
 * `ADVANCED_FACE` is named by its face's MFCAD++ class id. The file is the part: it must have been
 * pushed as it is (same SHA-256); the names are the ones the worker read from it. A face named ''
 * (or by no MFCAD++ class) stays unlabelled.
 */
async function stepSources(dir: string): Promise<LabelSource[]> {
  const cw = crosswalk("mfcadpp");
  const identity = cw.classes.map((_, i) => i);
  const { files } = await findStepFiles(dir);
  return files.map((f) => ({
    file: path.relative(dir, f.path),
    partNames: [f.name],
    async labels(part, faces) {
      const sha = await sha256File(f.path);
      if (sha !== part.part.blobSha256)
        throw new Error(`the part ${part.part.name} is not this file (another SHA-256): push the labelled files first`);
      const names = faces.faces.map((x) => x.stepName ?? "");
      const ids = new Set(names);
      if (names.length > 1 && ids.size === names.length && names.every((_n, i) => ids.has(String(i))))
        throw new Error(
          `the faces of ${f.name} are named 0…${names.length - 1}, one name each: face ids (as MFCAD names them), not MFCAD++ classes`,
        );
      const labels = labelsByStepName(cw, faces.faces, identity);
      const labelled = labels.filter((l) => l !== null).length;
      if (labelled === 0) throw new Error(`no face of ${f.name} is named by an MFCAD++ class id`);
      return { labels, provenance: { format: "step", file: f.name, labelled } };
    },
  }));
}

/**
 * `facet import-labels --format mfcad|step DIR --dataset NAME`: each label file is joined to its part
 * (by name, one lookup per file: datasets of any size), its labels read against the part's faces
 * file and stored as an `import` annotation revision.
 */
export async function importLabels(
  api: Api,
  opts: { format: LabelFormat; dir: string; workspace: string; dataset: string; json: boolean },
): Promise<ImportSummary> {
  const sources = opts.format === "mfcad" ? await mfcadSources(opts.dir) : await stepSources(opts.dir);
  const ws = encodeURIComponent(opts.workspace);
  const partsUrl = `/api/workspaces/${ws}/datasets/${encodeURIComponent(opts.dataset)}/parts`;
  // the dataset exists and may be read: refused once, not once per file
  await api.call("GET", `${partsUrl}?name=${encodeURIComponent(sources[0]?.partNames[0] ?? "-")}`);
  const summary: ImportSummary = { format: opts.format, files: sources.length, imported: 0, failed: 0, failures: [] };
  const progress = new Progress("import", sources.length, process.stderr, !opts.json);
  let done = 0;
  for (const source of sources) {
    try {
      let part: PartInfo | undefined;
      for (const name of source.partNames) {
        const { parts } = await api.call<{ parts: PartInfo[] }>("GET", `${partsUrl}?name=${encodeURIComponent(name)}`);
        part = parts[0];
        if (part) break;
      }
      if (!part) throw new Error(`no part named ${source.partNames[0]} in ${opts.dataset}`);
      const detail = await api.call<PartDetail>("GET", `/api/workspaces/${ws}/parts/${part.id}`);
      if (!detail.urls) throw new Error(`${part.name} has no geometry yet (status ${detail.part.status})`);
      const res = await fetch(detail.urls.faces);
      if (!res.ok) throw new Error(`could not download the faces of ${part.name} (${res.status})`);
      const faces = (await res.json()) as FacesDoc;
      const { labels, provenance } = await source.labels(detail, faces);
      await api.call("POST", `/api/workspaces/${ws}/parts/${part.id}/revisions`, {
        source: "import",
        document: {
          schemaVersion: 1,
          faceSignature: faces.signature,
          faceCount: faces.faceCount,
          labels,
          instances: [],
          provenance,
        },
      });
      summary.imported++;
    } catch (e) {
      if (e instanceof CliError && (e.status === 401 || e.status === 403)) throw e;
      summary.failed++;
      summary.failures.push({ file: source.file, message: e instanceof Error ? e.message : String(e) });
    }
    progress.update(++done, `${summary.imported} imported · ${summary.failed} failed`);
  }
  progress.done();
  return summary;
}
