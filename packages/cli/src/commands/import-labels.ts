import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_TAXONOMY, labelsByStepName, readPickledIntList } from "@facet/core";
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

export interface ImportSummary {
  files: number;
  imported: number;
  failed: number;
  failures: Array<{ file: string; message: string }>;
}

/**
 * `facet import-labels --format mfcad DIR --dataset NAME`: each `<name>.face_truth` (a class per face
 * id, the id being the ADVANCED_FACE name) is joined to the faces of the part `<name>.step` through
 * their STEP entity names, mapped through the MFCAD crosswalk, and stored as an annotation revision.
 */
export async function importMfcadLabels(
  api: Api,
  opts: { dir: string; workspace: string; dataset: string; json: boolean },
): Promise<ImportSummary> {
  const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad;
  if (!crosswalk) throw new CliError("INTERNAL", "the default taxonomy has no MFCAD crosswalk");
  const files = (await readdir(opts.dir)).filter((f) => f.endsWith(".face_truth")).sort();
  const ws = encodeURIComponent(opts.workspace);
  const { parts } = await api.call<{ parts: PartInfo[] }>(
    "GET",
    `/api/workspaces/${ws}/datasets/${encodeURIComponent(opts.dataset)}/parts`,
  );
  const byName = new Map(parts.map((p) => [p.name, p]));
  const summary: ImportSummary = { files: files.length, imported: 0, failed: 0, failures: [] };
  const progress = new Progress("import", files.length, process.stderr, !opts.json);
  let done = 0;
  for (const file of files) {
    const stem = file.slice(0, -".face_truth".length);
    try {
      const part = byName.get(`${stem}.step`) ?? byName.get(`${stem}.stp`);
      if (!part) throw new Error(`no part named ${stem}.step in ${opts.dataset}`);
      const classes = readPickledIntList(await readFile(path.join(opts.dir, file)));
      const detail = await api.call<{
        part: { status: string; failureReason: string | null };
        urls: { faces: string } | null;
      }>("GET", `/api/workspaces/${ws}/parts/${part.id}`);
      if (!detail.urls) throw new Error(`${part.name} has no geometry yet (status ${detail.part.status})`);
      const res = await fetch(detail.urls.faces);
      if (!res.ok) throw new Error(`could not download the faces of ${part.name} (${res.status})`);
      const faces = (await res.json()) as FacesDoc;
      const labels = labelsByStepName(crosswalk, faces.faces, classes);
      const missing = labels.filter((l) => l === null).length;
      if (missing > 0) throw new Error(`${missing} face(s) of ${part.name} have no label in ${file}`);
      await api.call("POST", `/api/workspaces/${ws}/parts/${part.id}/revisions`, {
        source: "import",
        document: {
          schemaVersion: 1,
          faceSignature: faces.signature,
          faceCount: faces.faceCount,
          labels,
          instances: [],
          provenance: { format: "mfcad", file, classes },
        },
      });
      summary.imported++;
    } catch (e) {
      summary.failed++;
      summary.failures.push({ file, message: e instanceof Error ? e.message : String(e) });
    }
    progress.update(++done, `${summary.imported} imported · ${summary.failed} failed`);
  }
  progress.done();
  return summary;
}
