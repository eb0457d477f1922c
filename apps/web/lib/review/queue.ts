import { type MemberRole, type PartStatus, roleCan, STATUS_LABELS } from "@facet/core";

export interface QueueFilters {
  annotator: string | null;
  dataset: string | null;
}

/** The query string of the review queue's filters ("" when none), e.g. "?annotator=…&dataset=…". */
export function queueQuery(filters: QueueFilters): string {
  const q = new URLSearchParams();
  if (filters.annotator) q.set("annotator", filters.annotator);
  if (filters.dataset) q.set("dataset", filters.dataset);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export interface PersonOption {
  userId: string;
  email: string;
}

/**
 * Who the annotator filter offers: members who may label parts, and anyone whose part is in the
 * queue (a member whose role changed since), once each, by email.
 */
export function annotatorOptions(
  members: ReadonlyArray<{ userId: string; email: string | null; role: MemberRole }>,
  queued: ReadonlyArray<{ annotatorId: string | null; annotatorEmail: string | null }>,
): PersonOption[] {
  const byId = new Map<string, string>();
  for (const m of members) if (roleCan(m.role, "parts.claim")) byId.set(m.userId, m.email ?? m.userId);
  for (const q of queued) {
    if (q.annotatorId && !byId.has(q.annotatorId)) byId.set(q.annotatorId, q.annotatorEmail ?? q.annotatorId);
  }
  return [...byId]
    .map(([userId, email]) => ({ userId, email }))
    .sort((a, b) => a.email.localeCompare(b.email) || a.userId.localeCompare(b.userId));
}

/**
 * The queue's header: "1 part waits for review", "3 parts wait for review", and when the page shows
 * fewer than wait, which ones it shows: "600 parts wait for review, the oldest 50 shown".
 */
export function waitingText(waiting: number, shown: number = waiting): string {
  const text = waiting === 1 ? "1 part waits for review" : `${waiting} parts wait for review`;
  return shown < waiting ? `${text}, the oldest ${shown} shown` : text;
}

/** The confirmation shown on the queue after a decision. */
export function reviewedMessage(name: string, decision: string | null | undefined): string {
  if (decision === "approved") return `Approved ${name}.`;
  if (decision === "rejected") return `Sent ${name} back to its annotator with your notes.`;
  return `Reviewed ${name}.`;
}

/**
 * Why the viewer cannot decide on this part, or null when they can: nobody reviews their own
 * annotation, and only a part waiting for review can be decided on (the server refuses both too).
 */
export function decisionBlocked(input: { userId: string; annotatorId: string | null; status: string }): string | null {
  if (input.annotatorId !== null && input.annotatorId === input.userId) {
    return "You labelled this part: nobody reviews their own annotation, another engineer or admin must.";
  }
  if (input.status !== "in_review") {
    const label = STATUS_LABELS[input.status as PartStatus] ?? input.status;
    return `This part is ${label.toLowerCase()}, not waiting for review.`;
  }
  return null;
}
