"use client";

import type { ExportFormat } from "@facet/core";
import type { ExportRow } from "@facet/db";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { bytes, shortHash } from "@/components/curation/format";
import { ProgressBar } from "@/components/curation/progress-bar";
import { jobEnded, usePoll } from "@/components/curation/use-poll";

const FORMATS: { format: ExportFormat; label: string; what: string }[] = [
  {
    format: "parquet",
    label: "Parquet",
    what: "Tables of parts, faces (attributes and labels), instances and edges, one folder per split, with a dataset card: read by DuckDB and Hugging Face datasets.",
  },
  {
    format: "jsonl",
    label: "JSONL",
    what: "A file per split, a line per part: its pins, every face's label, the instances.",
  },
  { format: "mfcad", label: "MFCAD", what: "A label file per part, as the MFCAD dataset ships them." },
  { format: "mfinstseg", label: "MFInstSeg", what: "AAGNet-style JSON per part: cls, seg and bottom." },
  {
    format: "step",
    label: "STEP with labels",
    what: "The STEP files with each face's label written into its ADVANCED_FACE name (as MFCAD++ ships them).",
  },
];

const key = (format: string, meshes: boolean) => `${format}:${meshes}`;

/**
 * A snapshot's exports: a row per format, with its Export button (curators), a progress bar
 * following the job and the download link once the archive is stored. Exports are cached by
 * snapshot, format and meshes: one already made shows its link at once.
 */
export function SnapshotExports(props: {
  workspace: string;
  snapshot: string;
  initial: ExportRow[];
  canExport: boolean;
}) {
  // the newest export of each (format, meshes): the list comes newest first
  const latest: Record<string, ExportRow> = {};
  for (const e of props.initial) latest[key(e.format, e.includeMeshes)] ??= e;
  return (
    <section aria-labelledby="exports-title">
      <h2 id="exports-title">Exports</h2>
      <div className="cur-scroll">
        <table data-testid="exports">
          <thead>
            <tr>
              <th>Format</th>
              <th>Meshes</th>
              <th>Archive</th>
            </tr>
          </thead>
          <tbody>
            {FORMATS.map((f) => (
              <FormatRow
                key={f.format}
                {...f}
                workspace={props.workspace}
                snapshot={props.snapshot}
                canExport={props.canExport}
                withoutMeshes={latest[key(f.format, false)] ?? null}
                withMeshes={latest[key(f.format, true)] ?? null}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FormatRow(props: {
  format: ExportFormat;
  label: string;
  what: string;
  workspace: string;
  snapshot: string;
  canExport: boolean;
  withoutMeshes: ExportRow | null;
  withMeshes: ExportRow | null;
}) {
  const [meshes, setMeshes] = useState(false);
  const [rows, setRows] = useState<Record<string, ExportRow | null>>({
    false: props.withoutMeshes,
    true: props.withMeshes,
  });
  const [busy, setBusy] = useState(false);
  const [cached, setCached] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = rows[String(meshes)] ?? null;
  const following = current && !jobEnded(current.status) ? current.id : null;
  const { value, error: pollError } = usePoll<{ export: ExportRow }>(
    following ? `/api/workspaces/${props.workspace}/exports/${following}` : null,
    (v) => jobEnded(v.export.status),
    500,
  );
  const shown = value && value.export.id === current?.id ? value.export : current;

  async function start() {
    setBusy(true);
    setError(null);
    setCached(false);
    try {
      const r = await api<{ export: ExportRow; started: boolean }>(
        "POST",
        `/api/workspaces/${props.workspace}/snapshots/${encodeURIComponent(props.snapshot)}/exports`,
        { format: props.format, includeMeshes: meshes },
      );
      setRows((was) => ({ ...was, [String(meshes)]: r.export }));
      setCached(!r.started && r.export.status === "completed");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const running = shown !== null && !jobEnded(shown.status);
  const done = shown?.status === "completed";
  return (
    <tr data-format={props.format} data-status={shown?.status ?? "none"}>
      <td>
        <strong>{props.label}</strong>
        <div className="muted">{props.what}</div>
      </td>
      <td>
        <label>
          <input type="checkbox" checked={meshes} onChange={(e) => setMeshes(e.target.checked)} disabled={busy} />
          Include meshes<span className="visually-hidden"> in the {props.label} export</span>
        </label>
      </td>
      <td style={{ minWidth: 240 }}>
        <div className="stack" style={{ gap: 6 }}>
          {running && shown && (
            <ProgressBar
              value={shown.progress}
              label={`${props.label} export`}
              message={shown.progressMessage ?? shown.status}
              testId={`export-progress-${props.format}`}
            />
          )}
          {done && shown && (
            <div className="stack" style={{ gap: 2 }}>
              <a
                className="button"
                href={`/api/workspaces/${props.workspace}/exports/${shown.id}/download`}
                download
                data-testid={`export-download-${props.format}`}
              >
                Download {props.label}
                {shown.includeMeshes ? " with meshes" : ""} ({bytes(shown.size)})
              </a>
              <span className="muted">
                {cached ? "Already made: served from storage. " : ""}
                {shown.sha256 && (
                  <>
                    sha256 <code title={shown.sha256}>{shortHash(shown.sha256)}</code>
                  </>
                )}
                {shown.completedAt ? ` · ${new Date(shown.completedAt).toLocaleString()}` : ""}
              </span>
            </div>
          )}
          {(shown?.status === "failed" || shown?.status === "canceled") && (
            <span className="error" role="alert" data-testid={`export-failed-${props.format}`}>
              The export {shown.status}: {shown.error ?? "no reason given"}
            </span>
          )}
          {props.canExport && !running && (
            <div>
              <button
                type="button"
                className={done ? undefined : "primary"}
                disabled={busy}
                onClick={() => void start()}
                aria-label={`Export ${props.label}`}
              >
                {busy ? "Asking…" : "Export"}
              </button>
            </div>
          )}
          {!props.canExport && !done && !running && <span className="muted">Not exported yet.</span>}
          {(error || pollError) && (
            <span className="error" role="alert">
              {error ?? pollError}
            </span>
          )}
        </div>
      </td>
    </tr>
  );
}
