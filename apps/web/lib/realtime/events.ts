import { type PartStatus, partStatusSchema, uuidSchema } from "@facet/core";
import { z } from "zod";

const ids = { workspace_id: uuidSchema, part_id: uuidSchema };
const holder = {
  status: partStatusSchema,
  annotator_id: uuidSchema.nullable(),
  lease_expires_at: z.iso.datetime().nullable(),
};

/** What the triggers send: tiny, ids only. Anything else on the channel is ignored. */
const payloadSchema = z.discriminatedUnion("kind", [
  z.object({ ...ids, kind: z.literal("status"), ...holder }),
  z.object({ ...ids, kind: z.literal("lease"), ...holder }),
  z.object({
    ...ids,
    kind: z.literal("revision"),
    revision_no: z.number().int().positive(),
    author_id: uuidSchema.nullable(),
  }),
  z.object({ ...ids, kind: z.literal("presence"), user_id: uuidSchema, op: z.enum(["join", "leave"]) }),
  z.object({
    ...ids,
    kind: z.literal("comment"),
    comment_id: uuidSchema,
    op: z.enum(["created", "resolved", "reopened"]),
  }),
  z.object({ ...ids, kind: z.literal("notification"), user_id: uuidSchema, notification_id: z.number().int() }),
]);

interface About {
  workspaceId: string;
  partId: string;
}

/** A change to a part, as the app sees it. `status`: its status or holder changed; `lease`: the lease was renewed. */
export type FacetEvent =
  | (About & {
      kind: "status" | "lease";
      status: PartStatus;
      annotatorId: string | null;
      leaseExpiresAt: string | null;
    })
  | (About & { kind: "revision"; revisionNo: number; authorId: string | null })
  | (About & { kind: "presence"; userId: string; op: "join" | "leave" })
  | (About & { kind: "comment"; commentId: string; op: "created" | "resolved" | "reopened" })
  /** For one user's eyes only: never sent on a part's stream, only to that user's workspace stream. */
  | (About & { kind: "notification"; userId: string; notificationId: number });

export type FacetEventKind = FacetEvent["kind"];

function jsonOf(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return null;
  }
}

/** Parse a NOTIFY payload; null when it is not JSON or not one of ours. */
export function parseFacetEvent(payload: string): FacetEvent | null {
  const r = payloadSchema.safeParse(jsonOf(payload));
  if (!r.success) return null;
  const p = r.data;
  const about = { workspaceId: p.workspace_id, partId: p.part_id };
  switch (p.kind) {
    case "status":
    case "lease":
      return {
        ...about,
        kind: p.kind,
        status: p.status,
        annotatorId: p.annotator_id,
        leaseExpiresAt: p.lease_expires_at,
      };
    case "revision":
      return { ...about, kind: "revision", revisionNo: p.revision_no, authorId: p.author_id };
    case "presence":
      return { ...about, kind: "presence", userId: p.user_id, op: p.op };
    case "comment":
      return { ...about, kind: "comment", commentId: p.comment_id, op: p.op };
    case "notification":
      return { ...about, kind: "notification", userId: p.user_id, notificationId: p.notification_id };
  }
}

/**
 * A change to who may see what: a membership removed or its role changed (`access`), or sessions
 * ended (`session`: signed out, signed out everywhere, removed, deactivated; `sessionId` null: all).
 * Open streams of that user check their access again at once.
 */
export interface AccessEvent {
  kind: "access" | "session";
  userId: string;
  workspaceId: string | null;
  sessionId: string | null;
}

const accessSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("access"), user_id: uuidSchema, workspace_id: uuidSchema }),
  z.object({ kind: z.literal("session"), user_id: uuidSchema, session_id: uuidSchema.nullable() }),
]);

/** Parse a NOTIFY payload about access; null when it is something else. */
export function parseAccessEvent(payload: string): AccessEvent | null {
  const r = accessSchema.safeParse(jsonOf(payload));
  if (!r.success) return null;
  return r.data.kind === "access"
    ? { kind: "access", userId: r.data.user_id, workspaceId: r.data.workspace_id, sessionId: null }
    : { kind: "session", userId: r.data.user_id, workspaceId: null, sessionId: r.data.session_id };
}
