import { type MemberRole, roleInSentence } from "@facet/core";

export function NotForRole({ role, what }: { role: MemberRole; what: string }) {
  return (
    <div className="card">
      <h1>Not available to your role</h1>
      <p className="muted">
        As {roleInSentence(role)} you do not have access to {what}. An admin can change your role.
      </p>
    </div>
  );
}
