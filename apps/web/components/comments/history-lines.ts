import { type PartStatus, STATUS_LABELS } from "@facet/core";
import type { HistoryEvent } from "@facet/db";
import { formatDay } from "../../lib/time-format";
import { excerpt } from "./format";

/** One event of a part's history, as `GET …/parts/<id>/history` (partHistory) gives it. */
export type HistoryEventInput = Omit<HistoryEvent, "actorId">;

/** A line of the timeline: one event, or a run of saved revisions told once. */
export interface HistoryLine {
  /** Stable key (the id of the first event of the line). */
  key: string;
  action: string;
  text: string;
  /** When it happened (the last event of a run). */
  at: string;
  /** How many events the line stands for (more than 1 for a run of revisions). */
  events: number;
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const quote = (text: unknown, max = 100): string => {
  const s = str(text);
  return s ? `: “${excerpt(s, max)}”` : "";
};

function statusName(s: unknown): string {
  const key = str(s);
  return key ? (STATUS_LABELS[key as PartStatus] ?? key).toLowerCase() : "unknown";
}

/** Who did it, as a sentence starts: their name, or what acted for nobody in particular. */
function who(e: HistoryEventInput): string {
  if (e.actorName) return e.actorName;
  if (e.action.startsWith("comment.")) return str(e.data.author_name) ?? "A guest";
  return e.actorKind === "user" || e.actorKind === "api_key" ? "Someone" : "Facet";
}

/** A machine acted (the tessellation worker, the lease sweeper): sentences drop the actor. */
function automatic(e: HistoryEventInput): boolean {
  return !e.actorName && e.actorKind !== "user" && e.actorKind !== "api_key";
}

const CHANGE_NAMES: Record<string, string> = {
  dataset_id: "moved the part to another dataset",
  split: "changed the split",
  tags: "changed the tags",
  review_notes: "changed the review notes",
};

function statusSentence(e: HistoryEventInput): string {
  const from = str(e.data.from);
  const to = str(e.data.to);
  const actor = who(e);
  const auto = automatic(e);
  if (to === "processing") return "Processing started";
  if (from === "processing" && to === "failed") return "Processing failed";
  if (from === "processing") return `Processing finished: the part is ${statusName(to)}`;
  if (from === "failed" && to === "uploaded") return `${actor} retried processing`;
  if (from === "unannotated" && to === "pre_labeled") return auto ? "Pre-labels arrived" : `${actor} added pre-labels`;
  if (from === "in_progress" && (to === "unannotated" || to === "pre_labeled")) {
    return auto ? "The claim expired: the part went back to the queue" : `${actor} released the part to the queue`;
  }
  if (to === "in_progress" && from !== "in_review") return `${actor} started labelling the part`;
  if (to === "in_review") return `${actor} sent the part to review`;
  if (from === "in_review" && to === "approved") return `${actor} approved the part`;
  if (from === "in_review" && to === "in_progress") return `${actor} sent the part back for changes`;
  return `${actor} changed the status from ${statusName(from)} to ${statusName(to)}`;
}

function revisionSentence(e: HistoryEventInput, first: number | null, last: number | null): string {
  const source = str(e.data.source) ?? "human";
  const range =
    first === null ? "" : last !== null && last !== first ? `revisions ${first}–${last}` : `revision ${first}`;
  const actor = who(e);
  if (source === "model") {
    return automatic(e)
      ? `Model pre-labels were saved${range ? ` as ${range}` : ""}`
      : `${actor} saved model pre-labels${range ? ` as ${range}` : ""}`;
  }
  if (source === "import") return `${actor} imported labels${range ? ` as ${range}` : ""}`;
  return range ? `${actor} saved ${range}` : `${actor} saved the labels`;
}

/** The sentence for one event (revision runs are told by historyLines). */
export function historySentence(e: HistoryEventInput): string {
  const actor = who(e);
  const d = e.data;
  switch (e.action) {
    case "part.created":
      return `${actor} uploaded the part${str(d.name) ? ` as ${str(d.name)}` : ""}`;
    case "part.deleted":
      return `${actor} deleted the part`;
    case "part.status_changed":
      return statusSentence(e);
    case "part.claimed":
      return `${actor} claimed the part${d.expired_claim_of ? " after the previous claim expired" : ""}`;
    case "part.submitted": {
      const n = num(d.revision_no);
      return n === null ? `${actor} submitted the part for review` : `${actor} submitted revision ${n}`;
    }
    case "revision.created": {
      const n = num(d.revision_no);
      return revisionSentence(e, n, n);
    }
    case "part.reviewed": {
      const n = num(d.revision_no);
      const what = n === null ? "the labels" : `revision ${n}`;
      if (d.decision === "approved") return `${actor} approved ${what}`;
      const summary = str(d.summary);
      return `${actor} rejected ${what}${summary ? `: ${excerpt(summary, 200)}` : ""}`;
    }
    case "comment.created": {
      const face = num(d.face_index);
      if (d.kind === "review_note") {
        return `${actor} added a review note${face === null ? "" : ` on face ${face}`}${quote(d.excerpt)}`;
      }
      if (str(d.parent_id)) return `${actor} replied${quote(d.excerpt)}`;
      return `${actor} commented${face === null ? "" : ` on face ${face}`}${quote(d.excerpt)}`;
    }
    case "comment.resolved":
    case "comment.reopened": {
      const verb = e.action === "comment.resolved" ? "resolved" : "reopened";
      return `${actor} ${verb} ${d.kind === "review_note" ? "a review note" : "a comment"}${quote(d.excerpt)}`;
    }
    case "share_link.created":
    case "share_link.revoked": {
      const kind = d.access === "comment" ? "a comment link" : "a read-only link";
      const label = str(d.label) ? ` “${excerpt(str(d.label) as string, 60)}”` : "";
      if (e.action === "share_link.revoked") return `${actor} revoked ${kind}${label}`;
      const expires = str(d.expires_at);
      return `${actor} created ${kind}${label}${expires ? ` (expires ${formatDay(expires)})` : ""}`;
    }
    case "part.updated": {
      const changed = (d.changed && typeof d.changed === "object" ? d.changed : {}) as Record<string, unknown>;
      const phrases = Object.keys(changed).map((k) => {
        if (k === "name") {
          const c = changed.name as { from?: unknown; to?: unknown } | null;
          return `renamed the part${str(c?.from) ? ` from ${str(c?.from)}` : ""}${str(c?.to) ? ` to ${str(c?.to)}` : ""}`;
        }
        return CHANGE_NAMES[k] ?? `changed ${k.replace(/_/g, " ")}`;
      });
      return `${actor} ${phrases.length > 0 ? phrases.join(", ") : "edited the part"}`;
    }
    default:
      return `${actor}: ${e.action.replace(/[._]/g, " ")}`;
  }
}

/**
 * An event another event of the same act already tells: a status change next to the claim, the
 * submission or the review that made it, and the review notes a review wrote on the part.
 */
function explained(events: readonly HistoryEventInput[], i: number): boolean {
  const e = events[i] as HistoryEventInput;
  const at = new Date(e.createdAt).getTime();
  const near: HistoryEventInput[] = [];
  for (let k = Math.max(0, i - 3); k <= Math.min(events.length - 1, i + 3); k++) {
    const o = events[k] as HistoryEventInput;
    if (k !== i && o.actorName === e.actorName && Math.abs(new Date(o.createdAt).getTime() - at) < 5000) near.push(o);
  }
  if (e.action === "part.status_changed") {
    const { from, to } = e.data;
    return near.some(
      (o) =>
        (o.action === "part.claimed" && to === "in_progress") ||
        (o.action === "part.submitted" && to === "in_review") ||
        (o.action === "part.reviewed" && from === "in_review"),
    );
  }
  if (e.action === "part.updated") {
    const changed = e.data.changed && typeof e.data.changed === "object" ? Object.keys(e.data.changed) : [];
    return changed.length === 1 && changed[0] === "review_notes" && near.some((o) => o.action === "part.reviewed");
  }
  return false;
}

/**
 * The timeline of a part, oldest first: one sentence per event, except that what another event of
 * the same act tells (a claim's, submission's or review's status change) is dropped, and consecutive revisions saved by the
 * same person from the same source (autosave makes many) become one line ("saved revisions 3–17").
 */
export function historyLines(events: readonly HistoryEventInput[]): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as HistoryEventInput;
    if (explained(events, i)) continue;
    if (e.action === "revision.created") {
      let j = i;
      const source = e.data.source ?? "human";
      while (
        j + 1 < events.length &&
        events[j + 1]?.action === "revision.created" &&
        events[j + 1]?.actorName === e.actorName &&
        events[j + 1]?.actorKind === e.actorKind &&
        (events[j + 1]?.data.source ?? "human") === source
      ) {
        j++;
      }
      const last = events[j] as HistoryEventInput;
      const numbers = events
        .slice(i, j + 1)
        .map((r) => num(r.data.revision_no))
        .filter((n): n is number => n !== null);
      const first = numbers.length > 0 ? Math.min(...numbers) : null;
      const lastNo = numbers.length > 0 ? Math.max(...numbers) : null;
      out.push({
        key: String(e.id),
        action: e.action,
        text: revisionSentence(e, first, lastNo),
        at: last.createdAt,
        events: j - i + 1,
      });
      i = j;
      continue;
    }
    out.push({ key: String(e.id), action: e.action, text: historySentence(e), at: e.createdAt, events: 1 });
  }
  return out;
}
