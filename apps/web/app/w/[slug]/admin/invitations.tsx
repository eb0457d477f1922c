"use client";

import { MEMBER_ROLES, ROLE_LABELS } from "@facet/core";
import type { Invitation } from "@facet/db";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";

function state(i: Invitation): string {
  if (i.revokedAt) return "revoked";
  if (new Date(i.expiresAt) <= new Date()) return "expired";
  if (i.useCount >= i.maxUses) return "used";
  return "open";
}

export function Invitations({ workspace, invitations }: { workspace: string; invitations: Invitation[] }) {
  const router = useRouter();
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const email = String(f.get("email") ?? "").trim();
      const r = await api<{ url: string }>("POST", `/api/workspaces/${workspace}/invitations`, {
        role: f.get("role"),
        ...(email ? { email } : {}),
        expiresInHours: Number(f.get("expires")),
        maxUses: Number(f.get("maxUses")),
      });
      setLink(r.url);
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
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
      {link && (
        <div className="card stack">
          <span>Send this link; it is shown only once:</span>
          <input
            className="copy"
            readOnly
            value={link}
            aria-label="Invitation link"
            onFocus={(e) => e.currentTarget.select()}
          />
          <div className="row">
            <button type="button" onClick={() => navigator.clipboard?.writeText(link)}>
              Copy
            </button>
          </div>
        </div>
      )}
      {invitations.length > 0 && (
        <table data-testid="invitations">
          <thead>
            <tr>
              <th>Role</th>
              <th>For</th>
              <th>State</th>
              <th>Uses</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id}>
                <td>{ROLE_LABELS[i.role]}</td>
                <td>{i.email ?? "anyone with the link"}</td>
                <td>{state(i)}</td>
                <td>
                  {i.useCount}/{i.maxUses}
                </td>
                <td>{new Date(i.expiresAt).toLocaleString()}</td>
                <td>
                  {state(i) === "open" && (
                    <button
                      type="button"
                      onClick={async () => {
                        try {
                          await api("DELETE", `/api/workspaces/${workspace}/invitations/${i.id}`);
                          router.refresh();
                        } catch (err) {
                          setError(messageOf(err));
                        }
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
