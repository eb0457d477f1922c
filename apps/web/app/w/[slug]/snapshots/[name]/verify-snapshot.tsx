"use client";

import type { SnapshotVerifyReport } from "@facet/core";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";

/** POST …/snapshots/<s>/verify answers this. */
type VerifyReport = SnapshotVerifyReport;

interface Check {
  key: string;
  ok: boolean;
  title: string;
  detail: string;
}

function checksOf(r: VerifyReport): Check[] {
  const { database: db, manifest: m, blobs } = r.checks;
  const named = (prefix: string) => r.problems.filter((p) => p.startsWith(prefix)).length;
  return [
    {
      key: "database",
      ok: db.recomputed === db.checksum && named("database:") === 0,
      title: "Database",
      detail: `the checksum recomputed from the ${db.parts} pinned revisions ${db.recomputed === db.checksum ? "matches the one frozen" : `is ${db.recomputed.slice(0, 12)}, not ${db.checksum.slice(0, 12)}`}`,
    },
    {
      key: "manifest",
      ok: m.present && m.checksum === db.checksum && m.recomputed === m.checksum && named("manifest:") === 0,
      title: "Manifest",
      detail: m.present
        ? `in storage; its checksum ${m.checksum === db.checksum ? "agrees with the database" : "differs from the database's"} and its parts ${m.recomputed === m.checksum ? "give the checksum it states" : "give another checksum"}`
        : "missing from storage",
    },
    {
      key: "files",
      ok: blobs.missing === 0 && blobs.damaged === 0,
      title: "Files",
      detail: `${blobs.checked} STEP file${blobs.checked === 1 ? "" : "s"} ${blobs.deep ? "read back and hashed" : "found in storage"}; ${blobs.missing} missing, ${blobs.damaged} damaged`,
    },
  ];
}

/** Checks that the database, the manifest in storage and the stored files agree, and names any drift. */
export function VerifySnapshot({ workspace, snapshot }: { workspace: string; snapshot: string }) {
  const [deep, setDeep] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function verify() {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(
        await api<VerifyReport>(
          "POST",
          `/api/workspaces/${workspace}/snapshots/${encodeURIComponent(snapshot)}/verify`,
          { deep },
        ),
      );
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="stack" aria-labelledby="verify-title" data-testid="verify">
      <h2 id="verify-title" style={{ marginBottom: 0 }}>
        Verify
      </h2>
      <div className="row">
        <button type="button" onClick={() => void verify()} disabled={busy}>
          {busy ? "Verifying…" : "Verify"}
        </button>
        <label>
          <input type="checkbox" checked={deep} onChange={(e) => setDeep(e.target.checked)} />
          Read every file back and hash it (slower)
        </label>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
      {report && (
        <div className="stack" role="status" style={{ gap: 6 }}>
          <p className={report.ok ? "notice" : "error"} data-testid="verify-result" data-ok={String(report.ok)}>
            {report.ok
              ? "All checks pass: the database, the manifest and the files agree."
              : `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} found.`}
          </p>
          <ul className="plain stack" style={{ gap: 4 }}>
            {checksOf(report).map((c) => (
              <li key={c.key} data-testid={`verify-check-${c.key}`} data-ok={String(c.ok)}>
                <span className={c.ok ? "notice" : "error"} aria-hidden="true">
                  {c.ok ? "✓" : "✗"}
                </span>{" "}
                <strong>{c.title}</strong>
                <span className="visually-hidden">{c.ok ? " passes" : " fails"}</span>: {c.detail}
              </li>
            ))}
          </ul>
          {report.problems.length > 0 && (
            <ul data-testid="verify-problems" className="error">
              {report.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
