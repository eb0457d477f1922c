"use client";

import type { SplitConfig, SplitOutcome } from "@facet/core";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { compareSplits, percent } from "@/components/curation/format";
import { ProgressBar } from "@/components/curation/progress-bar";
import { type JobView, jobEnded, usePoll } from "@/components/curation/use-poll";

const describeConfig = (c: SplitConfig) =>
  `${c.splits
    .map(
      (s) =>
        `${s.name} ${percent(
          s.ratio,
          c.splits.reduce((a, x) => a + x.ratio, 0),
        )}`,
    )
    .join(
      ", ",
    )}; seed "${c.seed}"; ${c.stratify ? "stratified by feature classes" : "not stratified"}; ${c.groupNearDuplicates ? "near-duplicates kept together" : "near-duplicates not grouped"}`;

/**
 * A dataset's split configuration (editable by curators: admins and ML engineers) and the button
 * that assigns splits to the parts without one, following the job to its outcome.
 */
export function SplitSettings(props: {
  workspace: string;
  datasetId: string;
  initial: SplitConfig;
  isDefault: boolean;
  canEdit: boolean;
}) {
  const router = useRouter();
  const [config, setConfig] = useState<SplitConfig>(props.initial);
  const [saved, setSaved] = useState<SplitConfig>(props.initial);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const base = `/api/workspaces/${props.workspace}/datasets/${props.datasetId}/splits`;
  const { value: polled, error: pollError } = usePoll<{ job: JobView }>(
    jobId ? `/api/workspaces/${props.workspace}/jobs/${jobId}` : null,
    (v) => jobEnded(v.job.status),
  );
  const job = polled?.job ?? null;
  const refreshed = useRef<string | null>(null);
  useEffect(() => {
    // the report below is the server's: render it again once the job has written the splits
    if (job && jobEnded(job.status) && refreshed.current !== job.id) {
      refreshed.current = job.id;
      router.refresh();
    }
  }, [job, router]);

  if (!props.canEdit) {
    return (
      <section className="card stack" data-testid="split-config">
        <h2 style={{ margin: 0 }}>Configuration</h2>
        <p>{describeConfig(config)}.</p>
        <p className="muted">Admins and ML engineers set the splits and assign them.</p>
      </section>
    );
  }

  const dirty = JSON.stringify(config) !== JSON.stringify(saved);
  const total = config.splits.reduce((a, s) => a + (Number.isFinite(s.ratio) ? s.ratio : 0), 0);
  const setSplit = (i: number, patch: Partial<SplitConfig["splits"][number]>) =>
    setConfig({ ...config, splits: config.splits.map((s, j) => (j === i ? { ...s, ...patch } : s)) });

  async function save(): Promise<boolean> {
    setError(null);
    setNotice(null);
    try {
      const r = await api<{ config: SplitConfig }>("PUT", base, { config });
      setConfig(r.config);
      setSaved(r.config);
      setNotice("Saved.");
      return true;
    } catch (e) {
      setError(`Not saved: ${messageOf(e)}`);
      return false;
    }
  }

  async function run(what: "save" | "assign") {
    setBusy(true);
    try {
      if ((what === "save" || dirty) && !(await save())) return;
      if (what === "assign") {
        setNotice(null);
        const r = await api<{ jobId: string }>("POST", `${base}/assign`);
        setJobId(r.jobId);
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const running = job !== null ? !jobEnded(job.status) : jobId !== null;
  const outcome = job?.status === "completed" ? (job.result as SplitOutcome | null) : null;

  return (
    <section className="card stack" data-testid="split-config">
      <h2 style={{ margin: 0 }}>Configuration</h2>
      {props.isDefault && !dirty && (
        <p className="muted">The default: nobody has set this dataset&apos;s splits yet.</p>
      )}
      <table className="cur-split-table">
        <thead>
          <tr>
            <th>Split</th>
            <th>Ratio</th>
            <th>Share</th>
            <th>
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {config.splits.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; a name may be empty while typed
            <tr key={i}>
              <td>
                <input
                  aria-label={`Name of split ${i + 1}`}
                  value={s.name}
                  maxLength={32}
                  onChange={(e) => setSplit(i, { name: e.target.value })}
                />
              </td>
              <td>
                <input
                  aria-label={`Ratio of split ${i + 1}`}
                  type="number"
                  min={0}
                  step="any"
                  value={Number.isFinite(s.ratio) ? s.ratio : ""}
                  onChange={(e) => setSplit(i, { ratio: e.target.valueAsNumber })}
                  style={{ width: 90 }}
                />
              </td>
              <td>{percent(Number.isFinite(s.ratio) ? s.ratio : 0, total)}</td>
              <td>
                <button
                  type="button"
                  disabled={config.splits.length < 2}
                  onClick={() => setConfig({ ...config, splits: config.splits.filter((_, j) => j !== i) })}
                >
                  Remove<span className="visually-hidden"> split {s.name || i + 1}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          disabled={config.splits.length >= 16}
          onClick={() => setConfig({ ...config, splits: [...config.splits, { name: "", ratio: 0.1 }] })}
        >
          Add a split
        </button>
      </div>
      <label style={{ maxWidth: 320 }}>
        Seed
        <input value={config.seed} maxLength={64} onChange={(e) => setConfig({ ...config, seed: e.target.value })} />
        <span className="hint">The same parts and seed always give the same splits.</span>
      </label>
      <label>
        <input
          type="checkbox"
          checked={config.stratify}
          onChange={(e) => setConfig({ ...config, stratify: e.target.checked })}
        />
        Stratify by feature classes (each class spread over the splits by the ratios)
      </label>
      <label>
        <input
          type="checkbox"
          checked={config.groupNearDuplicates}
          onChange={(e) => setConfig({ ...config, groupNearDuplicates: e.target.checked })}
        />
        Keep near-duplicates together (the same shape never on two sides)
      </label>
      <p className="muted">
        Parts that have a split keep it: assigning fills only the parts without one, so a test set stays the test set as
        the dataset grows.
      </p>
      <div className="row">
        <button type="button" disabled={busy || running || !dirty} onClick={() => void run("save")}>
          Save configuration
        </button>
        <button type="button" className="primary" disabled={busy || running} onClick={() => void run("assign")}>
          Assign splits
        </button>
        {notice && (
          <span className="notice" role="status">
            {notice}
          </span>
        )}
        {(error || pollError) && (
          <span className="error" role="alert">
            {error ?? pollError}
          </span>
        )}
      </div>
      {running && (
        <ProgressBar
          value={job?.progress ?? 0}
          label="Split assignment"
          message={job?.progressMessage ?? "queued"}
          testId="split-job-progress"
        />
      )}
      {job?.status === "failed" && (
        <p className="error" role="alert" data-testid="split-job-failed">
          The assignment failed: {job.error ?? "no reason given"}
        </p>
      )}
      {outcome && <SplitOutcomeView outcome={outcome} />}
    </section>
  );
}

function SplitOutcomeView({ outcome }: { outcome: SplitOutcome }) {
  const kept = outcome.parts - outcome.assigned;
  return (
    <div className="stack" data-testid="split-outcome" role="status" style={{ gap: 4 }}>
      <p className="notice" style={{ margin: 0 }}>
        Splits assigned: <strong data-testid="split-assigned">{outcome.assigned}</strong> of {outcome.parts} parts
        {kept > 0 ? ` (${kept} kept the split they had)` : ""};{" "}
        <span data-testid="split-near-duplicates">
          {outcome.nearDuplicateGroups} near-duplicate group{outcome.nearDuplicateGroups === 1 ? "" : "s"}
        </span>{" "}
        kept together.
      </p>
      <p style={{ margin: 0 }}>
        {Object.entries(outcome.perSplit)
          .sort(([a], [b]) => compareSplits(a, b))
          .map(([s, n]) => `${s}: ${n}`)
          .join(" · ")}
      </p>
      {outcome.leaks.length === 0 ? (
        <p className="muted" data-testid="split-leaks" style={{ margin: 0 }}>
          No leaks: no shape sits in two splits.
        </p>
      ) : (
        <div className="error" data-testid="split-leaks">
          <p style={{ margin: 0 }}>
            {outcome.leaks.length} near-duplicate group{outcome.leaks.length === 1 ? " was" : "s were"} already in more
            than one split (set by hand before); move their parts into one split:
          </p>
          <ul>
            {outcome.leaks.map((l) => (
              <li key={l.group}>
                {l.parts.length} parts in {l.splits.join(" and ")} (group {l.group.slice(0, 12)})
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
