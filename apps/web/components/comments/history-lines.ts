import { type PartStatus, STATUS_LABELS } from "@facet/core";
import type { HistoryEvent } from "@facet/db";
import { formatDay } from "../../lib/time-format";
import { excerpt } from "./format";

/** One event of a part's history, as `GET …/parts/<id>/history` (partHistory) gives it. */
export type HistoryEventInput = Omit<HistoryEvent, "actorId">;

/** A line of the timeline: one event, or several told once (autosaves, the worker's steps, one act's records). */
export interface HistoryLine {
  /** Stable key (the id of the first event of the line). */
  key: string;
  action: string;
  text: string;
  /** When it happened (the last event of the line). */
  at: string;
  /** How many events the line stands for (more than 1 for a run of revisions or the worker's steps). */
  events: number;
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const quote = (text: unknown, max = 100): string => {
  const s = str(text);
  return s ? `: “${excerpt(s, max)}”` : "";
};
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function statusName(s: unknown): string {
  const key = str(s);
  return key ? (STATUS_LABELS[key as PartStatus] ?? key.replace(/_/g, " ")).toLowerCase() : "unknown";
}

/**
 * How a sentence names the part: "the part" on the part's own page, its name where events of many
 * parts are listed (the audit log): "Dee claimed bracket.step", "Erin approved revision 4 of bracket.step".
 */
interface PartNoun {
  named: boolean;
  the: string;
  of: string;
  on: string;
  to: string;
}

function partNoun(name?: string | null): PartNoun {
  const n = str(name);
  return n
    ? { named: true, the: n, of: ` of ${n}`, on: ` on ${n}`, to: ` to ${n}` }
    : { named: false, the: "the part", of: "", on: "", to: "" };
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

function statusSentence(e: HistoryEventInput, p: PartNoun): string {
  const from = str(e.data.from);
  const to = str(e.data.to);
  const actor = who(e);
  const auto = automatic(e);
  if (to === "processing") return `Processing${p.of} started`;
  if (from === "processing" && to === "failed") return `Processing${p.of} failed`;
  if (from === "processing" && to === "unannotated")
    return `${p.named ? `${p.the} was processed` : "Processed"}: ready to label`;
  if (from === "processing") return `${p.named ? `${p.the} was processed` : "Processed"}: ${statusName(to)}`;
  if (from === "failed" && to === "uploaded") return `${actor} retried processing${p.named ? ` ${p.the}` : ""}`;
  if (from === "unannotated" && to === "pre_labeled") {
    return auto ? `Pre-labels arrived${p.named ? ` for ${p.the}` : ""}` : `${actor} added pre-labels${p.to}`;
  }
  if (from === "in_progress" && (to === "unannotated" || to === "pre_labeled")) {
    return auto
      ? `The claim${p.on} expired: ${p.named ? "it" : "the part"} went back to the queue`
      : `${actor} released ${p.the} to the queue`;
  }
  if (to === "in_progress" && from !== "in_review") return `${actor} started labelling ${p.the}`;
  if (to === "in_review") return `${actor} sent ${p.the} to review`;
  if (from === "in_review" && to === "approved") return `${actor} approved ${p.the}`;
  if (from === "in_review" && to === "in_progress") return `${actor} sent ${p.the} back for changes`;
  const mover = auto ? `${capital(p.the)} moved` : `${actor} moved ${p.the}`;
  return `${mover} from ${statusName(from)} to ${statusName(to)}`;
}

function revisionSentence(e: HistoryEventInput, first: number | null, last: number | null, p: PartNoun): string {
  const source = str(e.data.source) ?? "human";
  const range =
    first === null ? "" : last !== null && last !== first ? `revisions ${first}–${last}` : `revision ${first}`;
  const as = range ? ` as ${range}${p.of}` : p.to;
  const actor = who(e);
  if (source === "model") {
    return automatic(e) ? `Model pre-labels were saved${as}` : `${actor} saved model pre-labels${as}`;
  }
  if (source === "import") return `${actor} imported labels${as}`;
  if (source === "consensus") return `The independent annotations${p.of} were combined${range ? ` in ${range}` : ""}`;
  return range ? `${actor} saved ${range}${p.of}` : `${actor} saved the labels${p.of}`;
}

// Edits of a part (part.updated) -----------------------------------------------------------------

/** The columns a person edits; a change of any other column is the database's bookkeeping. */
const EDITED_COLUMNS = ["name", "dataset_id", "split", "tags", "review_notes"] as const;
const SPLIT_NAMES: Record<string, string> = { train: "training", val: "validation", test: "test" };

interface Change {
  from: unknown;
  to: unknown;
}

function changesOf(e: HistoryEventInput): Record<string, Change> {
  const c = e.data.changed;
  if (!c || typeof c !== "object" || Array.isArray(c)) return {};
  const out: Record<string, Change> = {};
  for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
    const o = v && typeof v === "object" ? (v as Record<string, unknown>) : {};
    out[k] = { from: o.from ?? null, to: o.to ?? null };
  }
  return out;
}

/** The columns of an edit a person made (not the bookkeeping that came with it). */
function editedColumns(e: HistoryEventInput): string[] {
  return Object.keys(changesOf(e)).filter((k) => (EDITED_COLUMNS as readonly string[]).includes(k));
}

const tagList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((t): t is string => typeof t === "string") : []);
const quoted = (items: string[]) => listWords(items.map((t) => `“${t}”`));
const splitName = (v: unknown) => {
  const s = str(v);
  return s ? (SPLIT_NAMES[s] ?? s) : null;
};

/** What a person changed, as verb phrases ("renamed the part from a to b", "tagged the part “x”"). */
function editPhrases(changes: Record<string, Change>, p: PartNoun): string[] {
  const out: string[] = [];
  if (changes.name) {
    const from = str(changes.name.from);
    const to = str(changes.name.to);
    out.push(
      p.named
        ? `renamed ${from ?? p.the}${to ? ` to ${to}` : ""}`
        : `renamed the part${from ? ` from ${from}` : ""}${to ? ` to ${to}` : ""}`,
    );
  }
  if (changes.dataset_id) out.push(`moved ${p.the} to another dataset`);
  if (changes.split) {
    const from = splitName(changes.split.from);
    const to = splitName(changes.split.to);
    if (from && to) out.push(`moved ${p.the} from the ${from} split to the ${to} split`);
    else if (to) out.push(`put ${p.the} in the ${to} split`);
    else if (from) out.push(`took ${p.the} out of the ${from} split`);
  }
  if (changes.tags) {
    const before = tagList(changes.tags.from);
    const after = tagList(changes.tags.to);
    const added = after.filter((t) => !before.includes(t));
    const removed = before.filter((t) => !after.includes(t));
    if (added.length > 0) out.push(`tagged ${p.the} ${quoted(added)}`);
    if (removed.length > 0) {
      out.push(`removed the tag${removed.length > 1 ? "s" : ""} ${quoted(removed)}${p.named ? ` from ${p.the}` : ""}`);
    }
    if (added.length === 0 && removed.length === 0) out.push(`reordered the tags${p.of}`);
  }
  if (changes.review_notes) {
    const to = str(changes.review_notes.to);
    if (!to) out.push(`cleared the review notes${p.of}`);
    else if (str(changes.review_notes.from)) out.push(`edited the review notes${p.of}${quote(to)}`);
    else out.push(`wrote review notes${p.on}${quote(to)}`);
  }
  return out;
}

/**
 * Bookkeeping alone (no column a person edits changed): what it means, in a sentence. The database
 * writes these columns as consequences (a claim, a review, the worker); a name never shows.
 */
function bookkeepingSentence(e: HistoryEventInput, changes: Record<string, Change>, p: PartNoun): string {
  const actor = who(e);
  const auto = automatic(e);
  const set = (k: string) => k in changes && changes[k]?.to !== null;
  const cleared = (k: string) => k in changes && changes[k]?.to === null;
  if (changes.status) return statusSentence({ ...e, data: { from: changes.status.from, to: changes.status.to } }, p);
  const out: string[] = [];
  if (set("annotator_id") || set("claimed_at"))
    out.push(auto ? `${capital(p.the)} was claimed` : `${actor} claimed ${p.the}`);
  else if (cleared("annotator_id")) out.push(auto ? `${capital(p.the)} was released` : `${actor} released ${p.the}`);
  if (set("reviewer_id")) out.push(auto ? `A reviewer was assigned${p.to}` : `${actor} took on the review${p.of}`);
  else if (cleared("reviewer_id")) out.push(`The reviewer${p.of} was unassigned`);
  if (set("returned_at")) out.push(`${capital(p.the)} went back to its annotator`);
  if (!out.some((s) => s.includes("claimed"))) {
    if (set("lease_expires_at") && changes.lease_expires_at?.from !== null) {
      out.push(auto ? `The claim${p.on} was extended` : `${actor} extended the claim${p.on}`);
    } else if (cleared("lease_expires_at")) out.push(`The claim${p.on} ended`);
  }
  if (set("prelabel_error")) out.push(`Pre-labelling${p.of} gave no answer`);
  else if (["prelabel_confidence", "prelabel_disagreements"].some((k) => k in changes)) {
    out.push(`The pre-labels${p.of} were updated`);
  }
  if (["geometry", "geometry_id"].some((k) => k in changes)) out.push(`The geometry${p.of} was updated`);
  if (set("failure_reason")) out.push(`Why processing${p.of} failed was recorded`);
  if (out.length > 0) return out.join("; ");
  if ("queue_priority" in changes) return `The place${p.of} in the queue changed`;
  return auto ? `${capital(p.the)} was updated` : `${actor} edited ${p.the}`;
}

function editSentence(e: HistoryEventInput, p: PartNoun): string {
  const changes = changesOf(e);
  const phrases = editPhrases(changes, p);
  if (phrases.length > 0) return `${who(e)} ${listWords(phrases)}`;
  return bookkeepingSentence(e, changes, p);
}

// One event ---------------------------------------------------------------------------------------

function submissionSentence(
  e: HistoryEventInput,
  p: PartNoun,
  recorded?: HistoryEventInput,
  combined?: HistoryEventInput,
): string {
  const actor = who(e);
  const n = num(e.data.revision_no);
  const what = n === null ? `${p.the} for review` : `revision ${n}${p.of}`;
  const count = num(recorded?.data.count);
  const required = num(recorded?.data.required);
  if (count === null || required === null) return `${actor} submitted ${what}`;
  const as = `${actor} submitted ${what} as annotation ${count} of ${required}`;
  if (count < required) return `${as}: the part went back to the queue for the next annotator`;
  const m = num(combined?.data.revision_no);
  return `${as}: the majority of the annotations went to review${m === null ? "" : ` as revision ${m}`}`;
}

/**
 * The sentence for one event of a part (revision runs and the worker's steps are told by historyLines).
 * `partName`: name the part (where events of many parts are listed); by default it is "the part".
 */
export function historySentence(e: HistoryEventInput, partName?: string | null): string {
  const p = partNoun(partName);
  const actor = who(e);
  const d = e.data;
  switch (e.action) {
    case "part.created":
      return p.named
        ? `${actor} created the part ${p.the}`
        : `${actor} uploaded the part${str(d.name) ? ` as ${str(d.name)}` : ""}`;
    case "part.deleted":
      return `${actor} deleted ${p.named ? p.the : (str(d.name) ?? "the part")}`;
    case "part.status_changed":
      return statusSentence(e, p);
    case "part.claimed":
      return `${actor} claimed ${p.the}${d.expired_claim_of ? " after the previous claim expired" : ""}`;
    case "part.submitted":
      return submissionSentence(e, p);
    case "part.annotation_recorded": {
      const count = num(d.count);
      const required = num(d.required);
      return count === null || required === null
        ? `${actor}'s annotation${p.of} was recorded`
        : `${actor} completed independent annotation ${count} of ${required}${p.of}`;
    }
    case "revision.created": {
      const n = num(d.revision_no);
      return revisionSentence(e, n, n, p);
    }
    case "part.reviewed": {
      const n = num(d.revision_no);
      const what = n === null ? `the labels${p.of}` : `revision ${n}${p.of}`;
      if (d.decision === "approved") return `${actor} approved ${what}`;
      const summary = str(d.summary);
      return `${actor} rejected ${what}${summary ? `: ${excerpt(summary, 200)}` : ""}`;
    }
    case "comment.created": {
      const face = num(d.face_index);
      const where = face === null ? p.on : ` on face ${face}${p.of}`;
      if (d.kind === "review_note") return `${actor} added a review note${where}${quote(d.excerpt)}`;
      if (str(d.parent_id)) return `${actor} replied${p.on}${quote(d.excerpt)}`;
      return `${actor} commented${where}${quote(d.excerpt)}`;
    }
    case "comment.resolved":
    case "comment.reopened": {
      const verb = e.action === "comment.resolved" ? "resolved" : "reopened";
      return `${actor} ${verb} ${d.kind === "review_note" ? "a review note" : "a comment"}${p.on}${quote(d.excerpt)}`;
    }
    case "share_link.created":
    case "share_link.revoked": {
      const kind = `${d.access === "comment" ? "a comment link" : "a read-only link"}${p.to}`;
      const label = str(d.label) ? ` “${excerpt(str(d.label) as string, 60)}”` : "";
      if (e.action === "share_link.revoked") return `${actor} revoked ${kind}${label}`;
      const expires = str(d.expires_at);
      return `${actor} created ${kind}${label}${expires ? ` (expires ${formatDay(expires)})` : ""}`;
    }
    case "part.updated":
      return editSentence(e, p);
    default:
      return `${actor}: ${e.action.replace(/[._]/g, " ")}${p.named ? ` (${p.the})` : ""}`;
  }
}

// The timeline ------------------------------------------------------------------------------------

/** Events of the same act: the same actor within a few seconds, a few events apart. */
function sameAct(events: readonly HistoryEventInput[], i: number, test: (o: HistoryEventInput) => boolean) {
  const e = events[i] as HistoryEventInput;
  const at = new Date(e.createdAt).getTime();
  for (let k = Math.max(0, i - 4); k <= Math.min(events.length - 1, i + 4); k++) {
    const o = events[k] as HistoryEventInput;
    if (
      k !== i &&
      o.actorName === e.actorName &&
      o.actorKind === e.actorKind &&
      Math.abs(new Date(o.createdAt).getTime() - at) < 5000 &&
      test(o)
    ) {
      return o;
    }
  }
  return undefined;
}

const isConsensusRevision = (o: HistoryEventInput) => o.action === "revision.created" && o.data.source === "consensus";

/**
 * An event another event of the same act already tells: a status change next to the claim, the
 * submission or the review that made it; the bookkeeping and review notes a review wrote on the part;
 * the consensus records of a submission.
 */
function explained(events: readonly HistoryEventInput[], i: number): boolean {
  const e = events[i] as HistoryEventInput;
  const near = (test: (o: HistoryEventInput) => boolean) => sameAct(events, i, test) !== undefined;
  if (e.action === "part.status_changed") {
    const { from, to } = e.data;
    return near(
      (o) =>
        (o.action === "part.claimed" && to === "in_progress") ||
        (o.action === "part.submitted" &&
          from === "in_progress" &&
          (to === "in_review" || near((r) => r.action === "part.annotation_recorded"))) ||
        (o.action === "part.reviewed" && from === "in_review"),
    );
  }
  if (e.action === "part.updated") {
    const edited = editedColumns(e);
    if (edited.length === 0) {
      // bookkeeping beside the status change, claim, submission or review that made it
      return near((o) => ["part.status_changed", "part.claimed", "part.submitted", "part.reviewed"].includes(o.action));
    }
    return edited.every((k) => k === "review_notes") && near((o) => o.action === "part.reviewed");
  }
  if (e.action === "part.annotation_recorded") return near((o) => o.action === "part.submitted");
  if (isConsensusRevision(e)) return near((o) => o.action === "part.annotation_recorded");
  return false;
}

/** The worker's steps, in the order it takes them (a chain of them is one line). */
function workerStep(e: HistoryEventInput): number {
  if (!automatic(e)) return -1;
  const { from, to } = e.data;
  if (e.action === "part.status_changed") {
    if (to === "processing") return 0;
    if (from === "processing" && (to === "unannotated" || to === "failed")) return 1;
    if (from === "unannotated" && to === "pre_labeled") return 3;
  }
  if (e.action === "revision.created" && e.data.source === "model") return 2;
  return -1;
}

/**
 * From events[i], the worker's chain: processing started, finished (or failed), the model's revision,
 * pre-labelled; each step at most once and in order; pre-labels join processing only when written with
 * it (the same transaction), not when asked for later. Returns the index of its last event and its sentence.
 */
function workerChain(events: readonly HistoryEventInput[], i: number): { last: number; text: string } | null {
  let step = workerStep(events[i] as HistoryEventInput);
  if (step < 0) return null;
  const steps = new Map<number, HistoryEventInput>([[step, events[i] as HistoryEventInput]]);
  let j = i;
  while (j + 1 < events.length) {
    const next = events[j + 1] as HistoryEventInput;
    const s = workerStep(next);
    if (s <= step) break;
    const prev = events[j] as HistoryEventInput;
    if (s >= 2 && step === 1 && Math.abs(Date.parse(next.createdAt) - Date.parse(prev.createdAt)) > 5000) break;
    if (step === 1 && prev.data.to === "failed") break;
    steps.set(s, next);
    step = s;
    j++;
  }
  if (j === i) return null;
  const finished = steps.get(1);
  const n = num(steps.get(2)?.data.revision_no);
  const revision = n === null ? "" : ` (revision ${n})`;
  let text: string;
  if (finished?.data.to === "failed") text = "Processing failed";
  else if (steps.has(3))
    text = finished || steps.has(0) ? `Processed and pre-labelled${revision}` : `Pre-labels arrived${revision}`;
  else if (finished) text = `Processed: ready to label${steps.has(2) ? `, with model pre-labels${revision}` : ""}`;
  else text = `Model pre-labels were saved${n === null ? "" : ` as revision ${n}`}`;
  return { last: j, text };
}

/**
 * The timeline of a part, oldest first, in sentences a person would say: what another event of the
 * same act tells is dropped (a claim's, submission's or review's status change and bookkeeping), the
 * worker's steps are one line ("Processed and pre-labelled"), and consecutive revisions saved by the
 * same person from the same source (autosave makes many) become one line ("saved revisions 3–17").
 */
export function historyLines(events: readonly HistoryEventInput[]): HistoryLine[] {
  const out: HistoryLine[] = [];
  const line = (first: HistoryEventInput, last: HistoryEventInput, text: string, count: number) =>
    out.push({ key: String(first.id), action: first.action, text, at: last.createdAt, events: count });
  const p = partNoun();
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as HistoryEventInput;
    if (explained(events, i)) continue;
    const chain = workerChain(events, i);
    if (chain) {
      line(e, events[chain.last] as HistoryEventInput, chain.text, chain.last - i + 1);
      i = chain.last;
      continue;
    }
    if (e.action === "part.submitted") {
      const recorded = sameAct(events, i, (o) => o.action === "part.annotation_recorded");
      const combined = recorded ? sameAct(events, i, isConsensusRevision) : undefined;
      line(e, e, submissionSentence(e, p, recorded, combined), 1);
      continue;
    }
    if (e.action === "revision.created") {
      let j = i;
      const source = e.data.source ?? "human";
      while (
        j + 1 < events.length &&
        events[j + 1]?.action === "revision.created" &&
        events[j + 1]?.actorName === e.actorName &&
        events[j + 1]?.actorKind === e.actorKind &&
        (events[j + 1]?.data.source ?? "human") === source &&
        !explained(events, j + 1)
      ) {
        j++;
      }
      const numbers = events
        .slice(i, j + 1)
        .map((r) => num(r.data.revision_no))
        .filter((n): n is number => n !== null);
      const first = numbers.length > 0 ? Math.min(...numbers) : null;
      const lastNo = numbers.length > 0 ? Math.max(...numbers) : null;
      line(e, events[j] as HistoryEventInput, revisionSentence(e, first, lastNo, p), j - i + 1);
      i = j;
      continue;
    }
    line(e, e, historySentence(e), 1);
  }
  return out;
}
