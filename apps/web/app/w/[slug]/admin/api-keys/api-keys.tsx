"use client";

import type { ListedApiKey } from "@facet/auth";
import { API_KEY_SCOPES, type ApiKeyScope } from "@facet/core";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { formatUtc } from "@/lib/time-format";

const SCOPE_HELP: Record<ApiKeyScope, string> = {
  read: "read parts, catalog, snapshots",
  ingest: "upload parts, create datasets",
  label: "claim and label parts",
  review: "approve and reject",
  curate: "tags, splits, snapshots, exports",
  admin: "members, keys, audit log",
};

const stateOf = (k: ListedApiKey, now: number) =>
  k.revokedAt ? "revoked" : k.expiresAt && Date.parse(k.expiresAt) <= now ? "expired" : "active";

/** Make a key (name, scopes, expiry) bound to this workspace, shown once; the keys with their creator, last use and state; revoke. */
export function ApiKeys(props: { workspace: string; workspaceId: string; keys: ListedApiKey[] }) {
  const router = useRouter();
  const [made, setMade] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ListedApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  const now = Date.now();

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const days = Number(f.get("expires"));
      const r = await api<{ key: string; apiKey: { name: string } }>("POST", "/api/api-keys", {
        name: String(f.get("name") ?? ""),
        scopes: f.getAll("scope"),
        workspace: props.workspace,
        ...(days > 0 ? { expiresInDays: days } : {}),
      });
      setMade({ name: r.apiKey.name, key: r.key });
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  async function revoke(k: ListedApiKey) {
    setBusy(true);
    setError(null);
    try {
      await api("DELETE", `/api/api-keys/${k.id}`);
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  }

  return (
    <div className="stack">
      <form className="stack card" onSubmit={create} aria-label="Make an API key">
        <div className="row">
          <input name="name" aria-label="Key name" placeholder="Name (what it is for)" required maxLength={100} />
          <select name="expires" aria-label="Expires in" defaultValue="90">
            <option value="30">30 days</option>
            <option value="90">90 days</option>
            <option value="365">1 year</option>
            <option value="0">never</option>
          </select>
        </div>
        <fieldset className="row">
          <legend>Scopes</legend>
          {API_KEY_SCOPES.map((s) => (
            <label key={s} title={SCOPE_HELP[s]}>
              <input type="checkbox" name="scope" value={s} defaultChecked={s === "read"} /> {s}{" "}
              <span className="muted">({SCOPE_HELP[s]})</span>
            </label>
          ))}
        </fieldset>
        <div className="row">
          <button className="primary" type="submit">
            Make key
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {made && (
        <div className="card stack" data-testid="made-key">
          <span>
            <strong>{made.name}</strong>: copy the key now, it is shown only once.
          </span>
          <CopyField value={made.key} label="API key" testId="made-key-value" />
          <div className="row">
            <button type="button" className="link" onClick={() => setMade(null)}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      {props.keys.length === 0 ? (
        <p className="muted">No keys yet.</p>
      ) : (
        <table data-testid="api-keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Scopes</th>
              <th>Made by</th>
              <th>Made</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.keys.map((k) => {
              const state = stateOf(k, now);
              return (
                <tr key={k.id} data-key={k.prefix} data-state={state}>
                  <td>
                    {k.name}
                    {k.workspaceId === null && <span className="muted"> (personal)</span>}
                  </td>
                  <td>
                    <code>fct_{k.prefix}_…</code>
                  </td>
                  <td>{k.scopes.join(", ")}</td>
                  <td>{k.creatorEmail ?? "—"}</td>
                  <td>{formatUtc(k.createdAt)}</td>
                  <td data-testid="last-used">{k.lastUsedAt ? formatUtc(k.lastUsedAt) : "never"}</td>
                  <td>{k.expiresAt ? formatUtc(k.expiresAt) : "never"}</td>
                  <td>{state}</td>
                  <td>
                    {state === "active" && (
                      <button type="button" className="link" onClick={() => setRevoking(k)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke this API key?"
          confirmLabel="Revoke key"
          busy={busy}
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          <p>
            {revoking.name} (<code>fct_{revoking.prefix}_…</code>) stops working at once, and so do the keys made with
            it.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
