"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { DatasetOptions } from "@/components/dataset-options";

/** The form that freezes a snapshot of a dataset (curators: admins and ML engineers). */
export function FreezeSnapshot(props: {
  workspace: string;
  datasets: { id: string; name: string }[];
  initialDataset: string;
  initialFilter: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const name = String(f.get("name") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ snapshot: { name: string } }>("POST", `/api/workspaces/${props.workspace}/snapshots`, {
        dataset: f.get("dataset"),
        name,
        description: String(f.get("description") ?? ""),
        statuses: f.get("parts") === "approved" ? ["approved"] : null,
        filter: String(f.get("filter") ?? "").trim(),
      });
      router.push(`/w/${props.workspace}/snapshots/${encodeURIComponent(r.snapshot.name)}`);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="freeze-title" data-testid="freeze-snapshot">
      <h2 id="freeze-title" style={{ margin: 0 }}>
        Freeze a snapshot
      </h2>
      <div className="row" style={{ alignItems: "flex-start" }}>
        <label>
          Dataset
          <select name="dataset" defaultValue={props.initialDataset} required>
            <DatasetOptions datasets={props.datasets} />
          </select>
        </label>
        <label>
          Name
          <input
            name="name"
            required
            maxLength={100}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,99}"
            placeholder="e.g. v1 or 2026-12-train"
            title="letters, digits, '.', '_' or '-', starting with a letter or digit"
          />
          <span className="hint">Letters, digits, . _ -; it names the snapshot everywhere (CLI too).</span>
        </label>
      </div>
      <label>
        Description
        <textarea name="description" rows={2} maxLength={4000} />
      </label>
      <fieldset className="plain stack" style={{ gap: 4 }}>
        <legend>Parts</legend>
        <label>
          <input type="radio" name="parts" value="labelled" defaultChecked />
          Every labelled part (imported, pre-labelled, in review or approved) at its latest revision
        </label>
        <label>
          <input type="radio" name="parts" value="approved" />
          Approved parts only
        </label>
      </fieldset>
      <label>
        Catalog filter (optional)
        <input
          name="filter"
          defaultValue={props.initialFilter}
          placeholder="e.g. has=blind_hole&faces=10..200"
          spellCheck={false}
          className="copy"
        />
        <span className="hint">The catalog&apos;s query string: only the parts it shows are frozen.</span>
      </label>
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Freezing…" : "Freeze snapshot"}
        </button>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}
