"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ConfirmDialog } from "@/components/confirm-dialog";

interface PersonInfo {
  userId: string;
  name: string;
  active: boolean;
  erased: boolean;
  isMe: boolean;
}

/** The admin's actions on one member: deactivate/reactivate, transfer what they own, erase their data. */
export function Person({
  workspace,
  person,
  others,
}: {
  workspace: string;
  person: PersonInfo;
  others: Array<{ userId: string; name: string }>;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [erasing, setErasing] = useState(false);
  const [to, setTo] = useState(others[0]?.userId ?? "");
  const base = `/api/workspaces/${workspace}/members/${person.userId}`;
  const act = async (fn: () => Promise<string | null>) => {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      setNotice(await fn());
      router.refresh();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      {erasing && (
        <ConfirmDialog
          title={`Erase the personal data of ${person.name}?`}
          confirmLabel="Erase for good"
          busy={busy}
          onConfirm={() => {
            void act(async () => {
              const r = await api<{ label: string }>("POST", `${base}/erasure`, { confirm: true });
              return `Erased: their work is now attributed to "${r.label}".`;
            }).finally(() => setErasing(false));
          }}
          onCancel={() => setErasing(false)}
        >
          <p>
            Their name, email and addresses are removed everywhere, the audit log's copies included; their work stays,
            attributed to an anonymised former member. Their account can no longer sign in. This cannot be undone.
          </p>
          <p className="muted">Transfer the datasets they own first if someone should take them over.</p>
        </ConfirmDialog>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {!person.erased && !person.isMe && (
        <section className="card stack">
          <h2>Access</h2>
          {person.active ? (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  const r = await api<{ releasedParts: number }>("POST", `${base}/deactivation`);
                  return `Deactivated; ${r.releasedParts} held part(s) went back to the queue.`;
                })
              }
            >
              Deactivate
            </button>
          ) : (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  await api("DELETE", `${base}/deactivation`);
                  return "Reactivated.";
                })
              }
            >
              Reactivate
            </button>
          )}
        </section>
      )}
      <section className="card stack">
        <h2>Transfer what they own</h2>
        <p className="muted">Their datasets and saved filters move to the member you choose; the move is audited.</p>
        <div className="row">
          <label>
            To{" "}
            <select aria-label="Transfer to" value={to} onChange={(e) => setTo(e.target.value)}>
              {others.map((o) => (
                <option key={o.userId} value={o.userId}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={busy || !to}
            onClick={() =>
              act(async () => {
                const r = await api<{ datasets: number; savedFilters: number }>("POST", `${base}/transfer`, { to });
                return `Transferred ${r.datasets} dataset(s) and ${r.savedFilters} saved filter(s).`;
              })
            }
          >
            Transfer
          </button>
        </div>
      </section>
      {!person.erased && !person.isMe && (
        <section className="card stack">
          <h2>Erase personal data</h2>
          <p className="muted">On the person's request. Possible only for someone who belongs to no other workspace.</p>
          <button type="button" className="danger" disabled={busy} onClick={() => setErasing(true)}>
            Erase personal data…
          </button>
        </section>
      )}
    </div>
  );
}
