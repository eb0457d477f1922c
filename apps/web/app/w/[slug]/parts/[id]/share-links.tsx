"use client";

import type { ShareAccess } from "@facet/core";
import type { ShareLinkRow } from "@facet/db";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { Time } from "@/components/comments/time";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { formatDay } from "@/lib/time-format";

type LinkState = "active" | "revoked" | "expired";

function stateOf(l: ShareLinkRow, now: number): LinkState {
  if (l.revokedAt) return "revoked";
  if (!l.active || new Date(l.expiresAt).getTime() <= now) return "expired";
  return "active";
}

const STATE_LABELS: Record<LinkState, string> = { active: "Active", revoked: "Revoked", expired: "Expired" };
const ACCESS_LABELS: Record<ShareAccess, string> = { read: "Read only", comment: "Read and comment" };

/**
 * Links to this part for people outside the workspace (engineers and admins): read-only or with
 * comments, for 1 to 365 days. The URL is shown once, when the link is made; links can be revoked.
 */
export function ShareLinks({
  workspace,
  partId,
  initialLinks,
}: {
  workspace: string;
  partId: string;
  initialLinks: ShareLinkRow[];
}) {
  const base = `/api/workspaces/${encodeURIComponent(workspace)}/parts/${partId}/share-links`;
  const [links, setLinks] = useState(initialLinks);
  const [access, setAccess] = useState<ShareAccess>("read");
  const [days, setDays] = useState("7");
  const [label, setLabel] = useState("");
  const [created, setCreated] = useState<{ url: string; id: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [now] = useState(() => Date.now());

  const create = async () => {
    const expiresInDays = Number(days);
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 365) {
      setError("A link lasts 1 to 365 days.");
      return;
    }
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const r = await api<{ link: ShareLinkRow; token: string; url: string }>("POST", base, {
        access,
        expiresInDays,
        ...(label.trim() ? { label: label.trim() } : {}),
      });
      setLinks((ls) => [r.link, ...ls.filter((l) => l.id !== r.link.id)]);
      setCreated({ url: r.url, id: r.link.id });
      setLabel("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  /** The link whose revocation waits for a yes. */
  const [revoking, setRevoking] = useState<ShareLinkRow | null>(null);
  const revoke = async (link: ShareLinkRow) => {
    setRevoking(null);
    setError(null);
    try {
      const r = await api<{ link: ShareLinkRow }>("DELETE", `${base}/${link.id}`);
      setLinks((ls) => ls.map((l) => (l.id === link.id ? r.link : l)));
      if (created?.id === link.id) setCreated(null);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const copy = async (url: string, input: HTMLInputElement | null) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // no clipboard (plain http): select the text so that the person can copy it
      input?.focus();
      input?.select();
    }
  };

  return (
    <div className="share-links stack" data-testid="share-links">
      {revoking && (
        <ConfirmDialog
          title="Revoke this share link?"
          confirmLabel="Revoke link"
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          <p>
            {revoking.label ? `“${revoking.label}”: ` : ""}whoever has the link can no longer open this part. This
            cannot be undone; you can make a new link.
          </p>
        </ConfirmDialog>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <select aria-label="Access" value={access} onChange={(e) => setAccess(e.target.value as ShareAccess)}>
          <option value="read">{ACCESS_LABELS.read}</option>
          <option value="comment">{ACCESS_LABELS.comment}</option>
        </select>
        <input
          type="number"
          aria-label="Expires in days"
          min={1}
          max={365}
          step={1}
          value={days}
          onChange={(e) => setDays(e.target.value)}
          style={{ width: 90 }}
        />
        <span className="muted">days</span>
        <input
          aria-label="Label"
          placeholder="Label (optional), e.g. who it is for"
          maxLength={120}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          Create link
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div className="card stack share-created">
          <span>Send this link; it is shown only once. Anyone who has it sees this part until it expires.</span>
          <CopyField url={created.url} copied={copied} onCopy={copy} />
        </div>
      )}
      {links.length === 0 ? (
        <p className="muted">No links yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Link</th>
              <th>Access</th>
              <th>Created by</th>
              <th>Expires</th>
              <th>Used</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {links.map((l) => {
              const state = stateOf(l, now);
              return (
                <tr key={l.id} data-testid="share-link" data-state={state} data-access={l.access}>
                  <td>{l.label ?? <span className="muted">(no label)</span>}</td>
                  <td>{ACCESS_LABELS[l.access]}</td>
                  <td>{l.createdByEmail ?? "—"}</td>
                  <td>{formatDay(l.expiresAt)}</td>
                  <td>
                    {l.useCount === 0 ? (
                      "never"
                    ) : (
                      <>
                        {l.useCount}×{" "}
                        {l.lastUsedAt && (
                          <span className="muted">
                            (last <Time iso={l.lastUsedAt} />)
                          </span>
                        )}
                      </>
                    )}
                  </td>
                  <td>
                    <span className={`badge share-state ${state}`}>{STATE_LABELS[state]}</span>
                  </td>
                  <td>
                    {state === "active" && (
                      <button type="button" className="danger" onClick={() => setRevoking(l)}>
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
    </div>
  );
}

function CopyField({
  url,
  copied,
  onCopy,
}: {
  url: string;
  copied: boolean;
  onCopy: (url: string, input: HTMLInputElement | null) => Promise<void>;
}) {
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  return (
    <div className="row">
      <input
        ref={setInput}
        className="copy"
        readOnly
        value={url}
        aria-label="Share link"
        data-testid="share-url"
        onFocus={(e) => e.currentTarget.select()}
        style={{ flex: 1 }}
      />
      <button type="button" onClick={() => void onCopy(url, input)}>
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
