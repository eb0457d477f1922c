import { MEMBER_ROLES, type MemberRole, roleInSentence } from "@facet/core";
import type { AuditEvent } from "@facet/db";
import { formatDay } from "../../lib/time-format";
import { excerpt } from "../comments/format";
import { historySentence, listWords } from "../comments/history-lines";

/** What the sentence of an audit event needs (listAuditEvents gives all of it). */
export type AuditEventInput = Pick<AuditEvent, "action" | "actorKind" | "data"> &
  Partial<Pick<AuditEvent, "actorName" | "actorEmail" | "partName" | "targetName" | "targetRole">>;

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The row a creation or deletion recorded (audit_row_change: `data.row`). */
const rowOf = (e: AuditEventInput) => obj(e.data.row);
/** The columns an update changed (audit_row_change: `data.changed`, each `{from, to}`). */
const changesOf = (e: AuditEventInput): Record<string, { from: unknown; to: unknown }> => {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, v] of Object.entries(obj(e.data.changed)))
    out[k] = { from: obj(v).from ?? null, to: obj(v).to ?? null };
  return out;
};

function role(v: unknown): string {
  return (MEMBER_ROLES as readonly string[]).includes(v as string) ? roleInSentence(v as MemberRole) : "a member";
}

/** Who acted, as a sentence starts. */
function actor(e: AuditEventInput): string {
  const name = str(e.actorName) ?? str(e.actorEmail);
  if (name) return e.actorKind === "api_key" ? `${name} (with an API key)` : name;
  return e.actorKind === "user" || e.actorKind === "api_key" ? "Someone" : "Facet";
}

function size(bytes: unknown): string {
  const n = num(bytes);
  if (n === null) return "";
  if (n < 1000) return ` (${n} bytes)`;
  if (n < 1e6) return ` (${Math.round(n / 1000)} kB)`;
  return ` (${(n / 1e6).toFixed(1)} MB)`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function workspaceSentence(e: AuditEventInput, a: string, verb: string): string {
  if (verb === "created") return `${a} created the workspace${str(e.data.name) ? ` ${str(e.data.name)}` : ""}`;
  if (verb === "deleted") return `${a} deleted the workspace${str(rowOf(e).name) ? ` ${str(rowOf(e).name)}` : ""}`;
  const c = changesOf(e);
  const phrases: string[] = [];
  if (c.name) phrases.push(`renamed the workspace from ${str(c.name.from) ?? "?"} to ${str(c.name.to) ?? "?"}`);
  if (c.slug) phrases.push(`moved the workspace's address to /w/${str(c.slug.to) ?? "?"}`);
  return `${a} ${phrases.length > 0 ? listWords(phrases) : "changed the workspace's settings"}`;
}

function memberSentence(e: AuditEventInput, a: string, verb: string): string {
  const who = str(e.targetName) ?? "a former member";
  const self = !!e.actorEmail && e.actorEmail === e.targetName;
  if (verb === "created") {
    const as = role(rowOf(e).role);
    return self ? `${who} joined the workspace as ${as}` : `${a} added ${who} as ${as}`;
  }
  if (verb === "deleted") {
    return self ? `${who} left the workspace` : `${a} removed ${who} (${role(rowOf(e).role)}) from the workspace`;
  }
  const c = changesOf(e);
  if (c.role) return `${a} made ${who} ${role(c.role.to)} (was ${role(c.role.from)})`;
  return `${a} changed ${who}'s membership`;
}

function invitationSentence(e: AuditEventInput, a: string, verb: string): string {
  const row = rowOf(e);
  const email = str(row.email) ?? str(e.targetName);
  const as = role(row.role ?? e.targetRole);
  if (verb === "created") {
    const notes: string[] = [];
    const uses = num(row.max_uses);
    if (uses !== null && uses > 1) notes.push(`up to ${uses} people`);
    if (str(row.expires_at)) notes.push(`expires ${formatDay(str(row.expires_at) as string)}`);
    const tail = notes.length > 0 ? ` (${notes.join(", ")})` : "";
    return email ? `${a} invited ${email} as ${as}${tail}` : `${a} created an invitation link for ${as}${tail}`;
  }
  const which = email ? `the invitation of ${email}` : `an invitation for ${as}`;
  if (verb === "deleted") return `${a} deleted ${which}`;
  const c = changesOf(e);
  if (c.revoked_at && c.revoked_at.to !== null) return `${a} revoked ${which}`;
  if (c.use_count) return `${a} accepted ${which}`;
  return `${a} changed ${which}`;
}

function datasetSentence(e: AuditEventInput, a: string, verb: string): string {
  const row = rowOf(e);
  const c = changesOf(e);
  const name = str(row.name) ?? str(e.targetName) ?? str(c.name?.to) ?? "a dataset";
  if (verb === "created") return `${a} created the dataset ${name}`;
  if (verb === "deleted") return `${a} deleted the dataset ${name}`;
  const phrases: string[] = [];
  if (c.name) phrases.push(`renamed the dataset ${str(c.name.from) ?? "?"} to ${str(c.name.to) ?? "?"}`);
  const it = c.name ? "it" : name;
  if (c.description) phrases.push(`edited the description of ${it}`);
  if (c.label_schema_id) phrases.push(`changed the label schema of ${it}`);
  if (c.required_annotations) {
    const n = num(c.required_annotations.to);
    phrases.push(
      n !== null && n > 1
        ? `asked for ${n} independent annotations of each part of ${it}`
        : `asked for one annotation of each part of ${it}`,
    );
  }
  if (c.prelabel) phrases.push(`turned pre-labelling ${c.prelabel.to ? "on" : "off"} for ${it}`);
  if (c.queue_order) phrases.push(`changed the order in which ${it} serves its parts`);
  if (c.max_held_parts) {
    const n = num(c.max_held_parts.to);
    phrases.push(`let each annotator hold ${n === null ? "a different number of" : `up to ${n}`} parts of ${it}`);
  }
  if (c.learned_prelabel) {
    phrases.push(`turned learned pre-labels ${c.learned_prelabel.to ? "on" : "off"} for ${it}`);
  }
  if (c.retrain_after) {
    const n = num(c.retrain_after.to);
    phrases.push(`had ${it} retrain ${n === null ? "after a different number of" : `after every ${n}`} approvals`);
  }
  const known = ["name", "description", "label_schema_id", "required_annotations", "prelabel", "queue_order"];
  if (Object.keys(c).some((k) => ![...known, "max_held_parts", "learned_prelabel", "retrain_after"].includes(k))) {
    phrases.push(`changed ${phrases.length > 0 ? "other" : "the"} settings of ${it}`);
  }
  if (phrases.length === 0) phrases.push(`changed ${it}`);
  return `${a} ${listWords(phrases)}`;
}

function schemaSentence(e: AuditEventInput, a: string, verb: string): string {
  const row = rowOf(e);
  const name = str(row.name) ?? str(e.targetName) ?? "a label schema";
  const v = num(row.version);
  if (verb === "created") return `${a} created the label schema ${name}${v === null ? "" : ` (version ${v})`}`;
  if (verb === "deleted") return `${a} deleted the label schema ${name}`;
  const c = changesOf(e);
  if (c.is_default?.to === true) return `${a} made ${name} the default label schema`;
  return `${a} changed the label schema ${name}`;
}

function apiKeySentence(e: AuditEventInput, a: string, verb: string): string {
  const row = rowOf(e);
  const name = str(row.name) ?? str(e.targetName);
  const key = name ? `the API key ${name}` : "an API key";
  if (verb === "created") return `${a} created ${key}${str(row.prefix) ? ` (${str(row.prefix)}…)` : ""}`;
  if (verb === "deleted") return `${a} deleted ${key}`;
  const c = changesOf(e);
  if (c.revoked_at && c.revoked_at.to !== null) return `${a} revoked ${key}`;
  return `${a} changed ${key}`;
}

function uploadSentence(e: AuditEventInput, a: string, verb: string): string {
  const d = e.data;
  const dataset = str(e.targetName) ?? "a dataset";
  const name = str(d.name);
  if (verb === "completed") return `${a} uploaded ${name ?? "a file"} to ${dataset}${size(d.size)}`;
  if (verb === "rejected") {
    const reason = str(d.reason);
    return `${dataset} refused ${name ?? "a file"} from ${a}${reason ? `: ${excerpt(reason, 200)}` : ""}`;
  }
  // skipped: one file already there, or a count of them from a batch
  if (name) return `${a} uploaded ${name} to ${dataset} again: it was there already`;
  const present = num(d.present) ?? 0;
  const linked = num(d.linked) ?? 0;
  const what: string[] = [];
  if (present > 0) what.push(`${plural(present, "file")} ${present === 1 ? "was" : "were"} there already`);
  if (linked > 0) what.push(`${plural(linked, "part")} came from files the workspace already held`);
  return `${a} uploaded to ${dataset}${what.length > 0 ? `: ${listWords(what)}` : ""}`;
}

const PART_SUBJECTS = ["part", "comment", "revision", "share_link"];

type Teller = (e: AuditEventInput, a: string, verb: string) => string;
/** The tables whose rows audit_row_change records (`<subject>.created|updated|deleted`). */
function snapshotSentence(e: AuditEventInput, a: string, verb: string): string {
  const row = rowOf(e);
  const name = str(row.name) ?? str(e.targetName) ?? "a snapshot";
  const parts = num(row.part_count);
  if (verb === "created")
    return `${a} froze the snapshot ${name}${parts === null ? "" : ` (${plural(parts, "part")})`}`;
  return `${a} ${verb} the snapshot ${name}`;
}

const EXPORT_FORMAT_NAMES: Record<string, string> = {
  parquet: "a Parquet export",
  jsonl: "a JSONL export",
  mfcad: "an MFCAD export",
  mfinstseg: "an MFInstSeg export",
  step: "a labelled STEP export",
};

function exportSentence(e: AuditEventInput, a: string, verb: string): string {
  const what = EXPORT_FORMAT_NAMES[str(rowOf(e).format) ?? ""] ?? "an export";
  const of = str(e.targetName) ? ` of the snapshot ${str(e.targetName)}` : "";
  return verb === "created" ? `${a} asked for ${what}${of}` : `${a} ${verb} ${what}${of}`;
}

const ROW_SUBJECTS: Record<string, Teller> = {
  snapshot: snapshotSentence,
  export: exportSentence,
  workspace: workspaceSentence,
  member: memberSentence,
  invitation: invitationSentence,
  dataset: datasetSentence,
  label_schema: schemaSentence,
  api_key: apiKeySentence,
};

/** What admins did to people: deactivation, reactivation, erasure, transfers (issue 19). */
function peopleSentence(e: AuditEventInput, a: string, subject: string, verb: string): string | null {
  if (subject !== "member") return null;
  const who = str(e.targetName) ?? "a member";
  if (verb === "deactivated") {
    const n = num(e.data.released_parts) ?? 0;
    return `${a} deactivated ${who}${n > 0 ? `; ${plural(n, "part")} they held went back to the queue` : ""}`;
  }
  if (verb === "reactivated") return `${a} reactivated ${who}`;
  if (verb === "erased") return `${a} erased the personal data of ${str(e.data.label) ?? "a former member"}`;
  if (verb === "items_transferred") {
    const what = [plural(num(e.data.datasets) ?? 0, "dataset"), plural(num(e.data.saved_filters) ?? 0, "saved filter")];
    return `${a} moved ${what.join(" and ")} of ${who} to another member`;
  }
  return null;
}

/**
 * An audit event in a sentence a person would say: who did what to what ("ada@example.test invited
 * an engineer", "Dee submitted revision 4 of bracket.step"), with the names the log resolved. Events of
 * parts are told as the part's history tells them (historySentence), naming the part. An action this
 * does not know still reads as words, never as the raw code.
 */
export function describeAuditEvent(e: AuditEventInput): string {
  const a = actor(e);
  const dot = e.action.indexOf(".");
  const subject = dot < 0 ? e.action : e.action.slice(0, dot);
  const verb = dot < 0 ? "" : e.action.slice(dot + 1);
  if (PART_SUBJECTS.includes(subject)) {
    return historySentence(
      { id: 0, createdAt: "", action: e.action, actorKind: e.actorKind, actorName: e.actorName ?? null, data: e.data },
      str(e.partName) ?? (e.action === "part.deleted" ? str(e.data.name) : null) ?? "a part since deleted",
    );
  }
  const rowChange = ["created", "updated", "deleted"].includes(verb);
  if (rowChange && subject in ROW_SUBJECTS) return (ROW_SUBJECTS[subject] as Teller)(e, a, verb);
  if (subject === "upload" && ["completed", "skipped", "rejected"].includes(verb)) return uploadSentence(e, a, verb);
  if (subject === "auth") {
    if (verb === "signed_in") return `${a} signed in`;
    if (verb === "signed_out") return `${a} signed out`;
    if (verb === "signed_out_everywhere") return `${a} signed out everywhere`;
  }
  const people = peopleSentence(e, a, subject, verb);
  if (people) return people;
  if (e.action === "label_schema_mapping.created")
    return `${a} made a new label schema version from an earlier one, with a class mapping`;
  const words = e.action.replace(/[._]+/g, " ").trim();
  const about = str(e.partName) ?? str(e.targetName);
  return `${a}: ${words}${about ? ` (${about})` : ""}`;
}
