import { z } from "zod";
import { faceIndexSchema } from "./annotation";
import { uuidSchema } from "./validation";

/**
 * How a face's label changed between a base (the pre-label, or the revision submitted before) and
 * the labels under review: `same`, `added` (unlabelled before), `removed` (unlabelled now) or
 * `changed` (another feature type).
 */
export type FaceChange = "same" | "added" | "removed" | "changed";

export const FACE_CHANGE_LABELS: Record<Exclude<FaceChange, "same">, string> = {
  added: "labelled (was unlabelled)",
  removed: "unlabelled (was labelled)",
  changed: "another feature type",
};

/** Face-by-face comparison of two label arrays of the same face numbering (missing entries count as unlabelled). */
export function faceDiff(current: ReadonlyArray<string | null>, base: ReadonlyArray<string | null>): FaceChange[] {
  const n = Math.max(current.length, base.length);
  const out: FaceChange[] = new Array(n);
  for (let f = 0; f < n; f++) {
    const now = current[f] ?? null;
    const before = base[f] ?? null;
    out[f] = now === before ? "same" : before === null ? "added" : now === null ? "removed" : "changed";
  }
  return out;
}

/** The faces that changed, in face order. */
export function changedFaces(diff: ReadonlyArray<FaceChange>): number[] {
  const out: number[] = [];
  diff.forEach((k, f) => {
    if (k !== "same") out.push(f);
  });
  return out;
}

/** How many faces of each kind of change. */
export function diffCounts(diff: ReadonlyArray<FaceChange>): Record<FaceChange, number> {
  const counts: Record<FaceChange, number> = { same: 0, added: 0, removed: 0, changed: 0 };
  for (const k of diff) counts[k]++;
  return counts;
}

/**
 * Step through changed faces: the next (or previous) one after `from` in face order, wrapping
 * around; the first (or last) when `from` is null or not a changed face. Null when nothing changed.
 */
export function stepChange(changed: readonly number[], from: number | null, direction: 1 | -1): number | null {
  if (changed.length === 0) return null;
  if (from === null) return (direction === 1 ? changed[0] : changed[changed.length - 1]) ?? null;
  if (direction === 1) return changed.find((f) => f > from) ?? (changed[0] as number);
  for (let i = changed.length - 1; i >= 0; i--) if ((changed[i] as number) < from) return changed[i] as number;
  return changed[changed.length - 1] as number;
}

// Inputs from outside ------------------------------------------------------------------------------

const pointSchema = z.tuple([z.number(), z.number(), z.number()]).refine((p) => p.every((v) => Math.abs(v) < 1e9), {
  message: "a point's coordinates must be finite",
});

/** A pin: a face of the part, a point on it, or both. */
const pinFields = {
  faceIndex: faceIndexSchema.optional(),
  point: pointSchema.optional(),
};

export const commentBodySchema = z
  .string()
  .trim()
  .min(1, "write something first")
  .max(5000, "a comment is at most 5000 characters");

export const newCommentSchema = z
  .object({ body: commentBodySchema, parentId: uuidSchema.optional(), ...pinFields })
  .refine((c) => !c.parentId || (c.faceIndex === undefined && c.point === undefined), {
    message: "a reply is not pinned: pin the comment that starts the thread",
    path: ["parentId"],
  });
export type NewComment = z.infer<typeof newCommentSchema>;

/** A guest's comment through a share link: who they are is what they type. */
export const guestCommentSchema = z.object({
  body: commentBodySchema,
  parentId: uuidSchema.optional(),
  authorName: z.string().trim().min(1, "say who you are").max(80),
});
export type GuestComment = z.infer<typeof guestCommentSchema>;

export const reviewNoteSchema = z
  .object({ body: commentBodySchema, ...pinFields })
  .refine((n) => n.faceIndex !== undefined || n.point !== undefined, {
    message: "a review note is pinned to a face or a point",
  });
export type ReviewNote = z.infer<typeof reviewNoteSchema>;

export const REVIEW_DECISIONS = ["approved", "rejected"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** A reviewer's decision on the revision they looked at; a rejection says why (a summary or notes). */
export const reviewInputSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS),
    revisionNo: z.number().int().min(1),
    summary: z.string().trim().max(10000).optional(),
    notes: z.array(reviewNoteSchema).max(200, "at most 200 notes per review").default([]),
  })
  .refine((r) => r.decision === "approved" || (r.summary ?? "").length > 0 || r.notes.length > 0, {
    message: "say what to fix: a rejection needs a summary or at least one note",
    path: ["notes"],
  });
export type ReviewInput = z.infer<typeof reviewInputSchema>;

export const SHARE_ACCESS = ["read", "comment"] as const;
export type ShareAccess = (typeof SHARE_ACCESS)[number];

export const newShareLinkSchema = z.object({
  access: z.enum(SHARE_ACCESS),
  expiresInDays: z.number().int().min(1).max(365),
  label: z.string().trim().max(120).optional(),
});
export type NewShareLink = z.infer<typeof newShareLinkSchema>;

/** A share link's token as it appears in URLs: 43 base64url characters (32 random bytes). */
export const shareTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a share link");

// Mentions ----------------------------------------------------------------------------------------

/**
 * `@alice` or `@alice@example.com`, not preceded by a character of an address (so "bob@example.com"
 * mentions nobody). The database resolves the same pattern to members (comments_defaults), so a
 * mention highlighted here is the one that notifies.
 */
const MENTION = /(^|[^A-Za-z0-9._%+-])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)/g;

export type TextSegment = { text: string } | { mention: string };

/** Split a comment into plain text and @mentions, for rendering as text (never as HTML). */
export function splitMentions(body: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  for (const m of body.matchAll(MENTION)) {
    const lead = m[1] ?? "";
    const raw = m[2] ?? "";
    const handle = raw.replace(/[._-]+$/, "");
    const start = (m.index ?? 0) + lead.length;
    if (start > last) out.push({ text: body.slice(last, start) });
    out.push({ mention: handle });
    last = start + 1 + handle.length;
  }
  if (last < body.length) out.push({ text: body.slice(last) });
  return out;
}

/** The handles mentioned in a comment, lower-cased, once each. */
export function mentionHandles(body: string): string[] {
  return [
    ...new Set(
      splitMentions(body).flatMap((s) => ("mention" in s && s.mention.length > 0 ? [s.mention.toLowerCase()] : [])),
    ),
  ];
}
