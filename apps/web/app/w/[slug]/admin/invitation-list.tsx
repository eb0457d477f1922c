"use client";

import { type MemberRole, ROLE_LABELS } from "@facet/core";
import type { Invitation, InvitationUse } from "@facet/db";
import { Time } from "@/components/comments/time";
import { formatUtc } from "@/lib/time-format";

type State = "open" | "used" | "expired" | "revoked";

function stateOf(i: Invitation): State {
  if (i.revokedAt) return "revoked";
  if (new Date(i.expiresAt) <= new Date()) return "expired";
  if (i.useCount >= i.maxUses) return "used";
  return "open";
}

/** What a link grants, to whom: "Annotator, for anyone with the link (1 person)". */
export function invitationSummary(i: { role: MemberRole; email: string | null; maxUses: number }): string {
  const who = i.email ? `for ${i.email} only` : "for anyone with the link";
  const uses = i.maxUses === 1 ? "1 person" : `up to ${i.maxUses} people`;
  return `${ROLE_LABELS[i.role]}, ${who} (${uses})`;
}

function UseLine({ use }: { use: InvitationUse }) {
  return (
    <li>
      {use.email ? (
        <>
          {use.displayName ? `${use.displayName} ` : ""}
          <span className={use.displayName ? "muted" : undefined}>{use.email}</span>
        </>
      ) : (
        <span className="muted">someone no longer in the workspace</span>
      )}
      , <Time iso={use.usedAt} />
    </li>
  );
}

/** The workspace's invitation links, newest first: state, who used each and when, Revoke for open ones. */
export function InvitationList({
  invitations,
  onRevoke,
}: {
  invitations: Invitation[];
  onRevoke: (i: Invitation) => void;
}) {
  if (invitations.length === 0) return null;
  return (
    <table data-testid="invitations">
      <thead>
        <tr>
          <th>Role</th>
          <th>For</th>
          <th>State</th>
          <th>Used by</th>
          <th>Expires</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {invitations.map((i) => {
          const state = stateOf(i);
          return (
            <tr key={i.id} data-invitation={i.id}>
              <td>{ROLE_LABELS[i.role]}</td>
              <td>{i.email ?? "anyone with the link"}</td>
              <td data-testid="invitation-state">{state}</td>
              <td data-testid="invitation-uses">
                <span className="muted">
                  {i.useCount}/{i.maxUses}
                </span>
                {i.uses.length > 0 && (
                  <ul className="plain">
                    {i.uses.map((u) => (
                      <UseLine key={u.id} use={u} />
                    ))}
                  </ul>
                )}
              </td>
              <td>{formatUtc(i.expiresAt)}</td>
              <td>
                {state === "open" && (
                  <button type="button" className="danger" onClick={() => onRevoke(i)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
