"use client";

import { MEMBER_ROLES, type MemberRole, ROLE_LABELS } from "@facet/core";
import type { Member } from "@facet/db";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ConfirmDialog } from "@/components/confirm-dialog";

export function Members({ workspace, members, me }: { workspace: string; members: Member[]; me: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  /** The member whose removal waits for a yes. */
  const [removing, setRemoving] = useState<Member | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      router.refresh();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <div className="stack">
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.email} from this workspace?`}
          confirmLabel="Remove"
          onConfirm={() => {
            const m = removing;
            setRemoving(null);
            void act(() => api("DELETE", `/api/workspaces/${workspace}/members/${m.userId}`));
          }}
          onCancel={() => setRemoving(null)}
        >
          <p>Their sessions in this workspace end at once; they can come back only through a new invitation.</p>
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
            <th />
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.userId} data-email={m.email}>
              <td>
                {m.displayName ? `${m.displayName} · ` : ""}
                {m.email}
                {m.userId === me ? <span className="muted"> (you)</span> : null}
              </td>
              <td>
                <select
                  aria-label={`Role of ${m.email}`}
                  value={m.role}
                  onChange={(e) =>
                    act(() =>
                      api("PATCH", `/api/workspaces/${workspace}/members/${m.userId}`, {
                        role: e.target.value as MemberRole,
                      }),
                    )
                  }
                >
                  {MEMBER_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
              </td>
              <td>{new Date(m.joinedAt).toLocaleDateString()}</td>
              <td>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Remove ${m.email}`}
                  onClick={() => setRemoving(m)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
