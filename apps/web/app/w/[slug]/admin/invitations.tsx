"use client";

import { MEMBER_ROLES, type MemberRole, ROLE_LABELS } from "@facet/core";
import type { Invitation } from "@facet/db";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { formatUtc } from "@/lib/time-format";
import { InvitationList, invitationSummary } from "./invitation-list";

/** A link made during this visit of the page: its token is shown now or never (only its hash is stored). */
interface CreatedLink {
  id: string;
  url: string;
  role: MemberRole;
  email: string | null;
  maxUses: number;
  expiresAt: string;
}

/**
 * Invitation links: a form to make one; every link made during this visit, newest first, each with
 * Copy and Dismiss (making the next one keeps the others); the workspace's links with who used them;
 * Revoke after a confirmation.
 */
export function Invitations({ workspace, invitations }: { workspace: string; invitations: Invitation[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<CreatedLink[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const email = String(f.get("email") ?? "").trim();
      const r = await api<{ url: string; invitation: Omit<CreatedLink, "url"> }>(
        "POST",
        `/api/workspaces/${workspace}/invitations`,
        {
          role: f.get("role"),
          ...(email ? { email } : {}),
          expiresInHours: Number(f.get("expires")),
          maxUses: Number(f.get("maxUses")),
        },
      );
      setCreated((links) => [{ ...r.invitation, url: r.url }, ...links]);
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  async function revoke(i: Invitation) {
    setBusy(true);
    setError(null);
    try {
      await api("DELETE", `/api/workspaces/${workspace}/invitations/${i.id}`);
      // a revoked link is no use to anyone: its card goes too
      setCreated((links) => links.filter((l) => l.id !== i.id));
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
      <form className="row" onSubmit={create}>
        <select name="role" aria-label="Role for the invitation" defaultValue="annotator">
          {MEMBER_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        <input name="email" type="email" placeholder="Email (optional: restricts the link)" aria-label="Email" />
        <select name="expires" aria-label="Expires in" defaultValue="72">
          <option value="24">1 day</option>
          <option value="72">3 days</option>
          <option value="168">7 days</option>
          <option value="720">30 days</option>
        </select>
        <select name="maxUses" aria-label="Uses" defaultValue="1">
          <option value="1">1 person</option>
          <option value="10">up to 10 people</option>
          <option value="100">up to 100 people</option>
        </select>
        <button className="primary" type="submit">
          Create invitation link
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {created.map((link) => (
        <div key={link.id} className="card stack" data-testid="created-invitation" data-invitation={link.id}>
          <span>
            <strong>{invitationSummary(link)}</strong>, until {formatUtc(link.expiresAt)}. Send this link; it is shown
            only once:
          </span>
          <CopyField value={link.url} label="Invitation link" />
          <div className="row">
            <button
              type="button"
              className="link"
              onClick={() => setCreated((links) => links.filter((l) => l.id !== link.id))}
            >
              Dismiss
            </button>
          </div>
        </div>
      ))}
      <InvitationList invitations={invitations} onRevoke={setRevoking} />
      {revoking && (
        <ConfirmDialog
          title="Revoke this invitation link?"
          confirmLabel="Revoke link"
          busy={busy}
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          <p>{invitationSummary(revoking)}. Nobody can join with it any more; whoever joined with it stays a member.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
