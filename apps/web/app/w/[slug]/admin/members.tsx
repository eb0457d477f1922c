"use client";

import { MEMBER_ROLES, type MemberRole, ROLE_LABELS } from "@facet/core";
import type { MemberWithActivity } from "@facet/db";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { formatUtc } from "@/lib/time-format";
import { memberName } from "./people/member-name";

export function Members({ workspace, members, me }: { workspace: string; members: MemberWithActivity[]; me: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  /** The member whose removal waits for a yes. */
  const [removing, setRemoving] = useState<MemberWithActivity | null>(null);
  /** The member whose deactivation waits for a yes. */
  const [deactivating, setDeactivating] = useState<MemberWithActivity | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      router.refresh();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const path = (m: MemberWithActivity, rest = "") => `/api/workspaces/${workspace}/members/${m.userId}${rest}`;
  return (
    <div className="stack">
      {removing && (
        <ConfirmDialog
          title={`Remove ${memberName(removing)} from this workspace?`}
          confirmLabel="Remove"
          onConfirm={() => {
            const m = removing;
            setRemoving(null);
            void act(() => api("DELETE", path(m)));
          }}
          onCancel={() => setRemoving(null)}
        >
          <p>Their sessions in this workspace end at once; they can come back only through a new invitation.</p>
        </ConfirmDialog>
      )}
      {deactivating && (
        <ConfirmDialog
          title={`Deactivate ${memberName(deactivating)}?`}
          confirmLabel="Deactivate"
          onConfirm={() => {
            const m = deactivating;
            setDeactivating(null);
            void act(() => api("POST", path(m, "/deactivation")));
          }}
          onCancel={() => setDeactivating(null)}
        >
          <p>
            From their next request on, their sessions and API keys no longer reach this workspace, and the parts they
            hold go back to the queue. Their work stays theirs. You can reactivate them later.
          </p>
        </ConfirmDialog>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table data-testid="members">
        <thead>
          <tr>
            <th>Member</th>
            <th>Role</th>
            <th>Joined</th>
            <th>Last activity</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.map((m) => {
            const inactive = Boolean(m.deactivatedAt);
            return (
              <tr key={m.userId} data-email={m.email} data-user={m.userId} className={inactive ? "muted" : undefined}>
                <td>
                  <Link href={`/w/${workspace}/admin/people/${m.userId}`}>{memberName(m)}</Link>
                  {m.userId === me ? <span className="muted"> (you)</span> : null}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${m.email || memberName(m)}`}
                    value={m.role}
                    disabled={Boolean(m.erasedAt)}
                    onChange={(e) => act(() => api("PATCH", path(m), { role: e.target.value as MemberRole }))}
                  >
                    {MEMBER_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{new Date(m.joinedAt).toLocaleDateString()}</td>
                <td
                  data-testid="last-activity"
                  title={m.lastSeenAt ? `Last signed in or seen: ${formatUtc(m.lastSeenAt)}` : undefined}
                >
                  {m.lastActiveAt
                    ? formatUtc(m.lastActiveAt)
                    : m.lastSeenAt
                      ? `seen ${formatUtc(m.lastSeenAt)}`
                      : "never"}
                </td>
                <td data-testid="member-state">{m.erasedAt ? "Erased" : inactive ? "Deactivated" : "Active"}</td>
                <td className="row">
                  {m.erasedAt ? null : inactive ? (
                    <button
                      type="button"
                      aria-label={`Reactivate ${m.email}`}
                      onClick={() => act(() => api("DELETE", path(m, "/deactivation")))}
                    >
                      Reactivate
                    </button>
                  ) : m.userId === me ? null : (
                    <button type="button" aria-label={`Deactivate ${m.email}`} onClick={() => setDeactivating(m)}>
                      Deactivate
                    </button>
                  )}
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Remove ${m.email || memberName(m)}`}
                    onClick={() => setRemoving(m)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
