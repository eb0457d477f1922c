import { AppError, type PartStatus, STATUS_LABELS, type Taxonomy, taxonomySchema } from "@facet/core";
import type { PoolClient } from "../pool";
import { refuseUnlockablePart } from "./part-detail";
import { getPrelabelView, type PrelabelView } from "./prelabel";
import { latestRevision, type Revision } from "./revisions";

/** Presence counts a connection seen within this many seconds (pages touch it every 15 s). */
export const PRESENCE_WINDOW_SECONDS = 45;
/** A user's own presence rows older than this are left-overs of a crashed server: removed on the next touch. */
const PRESENCE_GARBAGE_SECONDS = 300;

function iso(v: Date | string | null): string | null {
  if (v === null) return null;
  return v instanceof Date ? v.toISOString() : new Date(v).toISOString();
}

/** Keep a claim alive while its workbench is open. FC006 (CONFLICT) when the caller no longer holds the part. */
export async function renewClaim(client: PoolClient, partId: string, leaseSeconds = 900): Promise<string> {
  const { rows } = await client.query<{ until: Date }>("select public.renew_claim($1, $2) as until", [
    partId,
    leaseSeconds,
  ]);
  return iso(rows[0]?.until ?? null) as string;
}

/**
 * Send the part to review, in the caller's transaction. `revisionNo` is the revision the annotator
 * looked at when they pressed submit: if someone saved another since, the submission is refused
 * (CONFLICT) so that nobody submits labels they have not seen. Who may submit is the status
 * trigger's rule (FORBIDDEN), and whether every face is labelled the submission trigger's
 * (INCOMPLETE_ANNOTATION): a direct update cannot skip either.
 */
export async function submitPart(
  client: PoolClient,
  input: { workspaceId: string; partId: string; revisionNo: number },
): Promise<PartStatus> {
  // FOR UPDATE: RLS lets through only rows the caller may update (their claim; any part for engineers)
  const { rows } = await client.query<{ status: PartStatus; latest: number }>(
    `select p.status,
            coalesce((select max(r.revision_no) from public.annotation_revisions r where r.part_id = p.id), 0) as latest
     from public.parts p where p.workspace_id = $1 and p.id = $2 for update of p`,
    [input.workspaceId, input.partId],
  );
  const part = rows[0];
  if (!part) {
    return refuseUnlockablePart(
      client,
      input.workspaceId,
      input.partId,
      "only the annotator holding this part can submit it",
    );
  }
  if (part.status === "in_review") throw new AppError("CONFLICT", "this part has been submitted already");
  if (part.status !== "in_progress") {
    throw new AppError(
      "CONFLICT",
      `this part is ${STATUS_LABELS[part.status].toLowerCase()}: only a part being labelled can be submitted`,
    );
  }
  // with no revision at all the submission trigger says so ("no labels saved yet")
  if (part.latest > 0 && part.latest !== input.revisionNo) {
    throw new AppError(
      "CONFLICT",
      `the part has revision ${part.latest} now, not ${input.revisionNo}: reload it and check the labels before submitting`,
      { latestRevision: part.latest },
    );
  }
  const updated = await client.query<{ status: PartStatus }>(
    "update public.parts set status = 'in_review' where id = $1 returning status",
    [input.partId],
  );
  const status = updated.rows[0]?.status;
  if (!status) throw new AppError("FORBIDDEN", "only the annotator holding this part can submit it");
  await client.query("select public.record_audit_event($1, 'part.submitted', 'parts', $2, $3)", [
    input.workspaceId,
    input.partId,
    JSON.stringify({ revision_no: input.revisionNo }),
  ]);
  return status;
}

export interface LabellingContext {
  part: {
    id: string;
    name: string;
    status: PartStatus;
    datasetId: string;
    datasetName: string;
    annotatorId: string | null;
    annotatorEmail: string | null;
    leaseExpiresAt: string | null;
    claimedAt: string | null;
    /** Set while the part is back with its annotator after a rejection. */
    returnedAt: string | null;
  };
  geometry: {
    meshKey: string;
    facesKey: string;
    faceSignature: string;
    faceCount: number;
    triangleCount: number;
  } | null;
  /** The dataset's label schema; null when the dataset has none (then no label can be saved). */
  taxonomy: Taxonomy | null;
  /** The current labels: the latest revision, or null. */
  revision: Revision | null;
  /** Pre-labelled faces below this confidence must be confirmed or changed before submission (the dataset's). */
  confirmBelow: number;
  /** What the pre-labelers said (confidences per face), or why they said nothing; null: never pre-labelled. */
  prelabel: PrelabelView | null;
}

/** Everything the workbench loads for a part (storage keys, not URLs: the caller presigns). NOT_FOUND when not visible. */
export async function getLabellingContext(
  client: PoolClient,
  workspaceId: string,
  partId: string,
): Promise<LabellingContext> {
  const { rows } = await client.query<{
    id: string;
    name: string;
    status: PartStatus;
    datasetId: string;
    datasetName: string;
    annotatorId: string | null;
    annotatorEmail: string | null;
    leaseExpiresAt: Date | null;
    claimedAt: Date | null;
    returnedAt: Date | null;
    meshKey: string | null;
    facesKey: string | null;
    faceSignature: string | null;
    faceCount: number | null;
    triangleCount: number | null;
    taxonomy: unknown;
    confirmBelow: number;
  }>(
    `select p.id, p.name, p.status, p.dataset_id as "datasetId", d.name as "datasetName", d.confirm_below as "confirmBelow",
            p.annotator_id as "annotatorId", pr.email as "annotatorEmail",
            p.lease_expires_at as "leaseExpiresAt", p.claimed_at as "claimedAt", p.returned_at as "returnedAt",
            g.mesh_key as "meshKey", g.faces_key as "facesKey", g.face_signature as "faceSignature",
            g.face_count as "faceCount", g.triangle_count as "triangleCount", s.taxonomy
     from public.parts p join public.datasets d on d.id = p.dataset_id
     left join public.profiles pr on pr.user_id = p.annotator_id
     left join public.part_geometry g on g.id = p.geometry_id
     left join public.label_schemas s on s.id = d.label_schema_id
     where p.workspace_id = $1 and p.id = $2`,
    [workspaceId, partId],
  );
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "no such part in this workspace");
  let taxonomy: Taxonomy | null = null;
  if (r.taxonomy !== null) {
    const parsed = taxonomySchema.safeParse(r.taxonomy);
    if (!parsed.success) {
      throw new AppError("INTERNAL", `the label schema of dataset ${r.datasetName} is not valid`, {
        issues: parsed.error.issues.slice(0, 3).map((i) => i.message),
      });
    }
    taxonomy = parsed.data;
  }
  const geometry =
    r.meshKey !== null && r.facesKey !== null && r.faceSignature !== null
      ? {
          meshKey: r.meshKey,
          facesKey: r.facesKey,
          faceSignature: r.faceSignature,
          faceCount: r.faceCount ?? 0,
          triangleCount: r.triangleCount ?? 0,
        }
      : null;
  return {
    part: {
      id: r.id,
      name: r.name,
      status: r.status,
      datasetId: r.datasetId,
      datasetName: r.datasetName,
      annotatorId: r.annotatorId,
      annotatorEmail: r.annotatorEmail,
      leaseExpiresAt: iso(r.leaseExpiresAt),
      claimedAt: iso(r.claimedAt),
      returnedAt: iso(r.returnedAt),
    },
    geometry,
    taxonomy,
    revision: await latestRevision(client, workspaceId, partId),
    prelabel: await getPrelabelView(client, partId),
    confirmBelow: r.confirmBelow,
  };
}

/** What a live view of a part needs to (re)draw its header: small, no documents. */
export interface PartLiveState {
  status: PartStatus;
  annotatorId: string | null;
  leaseExpiresAt: string | null;
  latestRevision: { revisionNo: number; authorId: string | null; createdAt: string } | null;
}

/** The part's status, holder, lease and latest revision number. NOT_FOUND when not visible. */
export async function getPartLiveState(
  client: PoolClient,
  workspaceId: string,
  partId: string,
): Promise<PartLiveState> {
  const { rows } = await client.query<{
    status: PartStatus;
    annotatorId: string | null;
    leaseExpiresAt: Date | null;
    revisionNo: number | null;
    authorId: string | null;
    revisionAt: Date | null;
  }>(
    `select p.status, p.annotator_id as "annotatorId", p.lease_expires_at as "leaseExpiresAt",
            r.revision_no as "revisionNo", r.author_id as "authorId", r.created_at as "revisionAt"
     from public.parts p
     left join lateral (
       select revision_no, author_id, created_at from public.annotation_revisions
       where part_id = p.id order by revision_no desc limit 1
     ) r on true
     where p.workspace_id = $1 and p.id = $2`,
    [workspaceId, partId],
  );
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "no such part in this workspace");
  return {
    status: r.status,
    annotatorId: r.annotatorId,
    leaseExpiresAt: iso(r.leaseExpiresAt),
    latestRevision:
      r.revisionNo === null
        ? null
        : { revisionNo: r.revisionNo, authorId: r.authorId, createdAt: iso(r.revisionAt) as string },
  };
}

export interface PresentUser {
  userId: string;
  email: string | null;
  /** When their earliest open connection to this part began. */
  since: string;
}

/**
 * Record (or renew) that the caller has the part open on this connection. Also removes the
 * caller's own presence rows a crashed server left behind. NOT_FOUND when the part does not exist;
 * FORBIDDEN when it is not in a workspace of the caller.
 */
export async function touchPresence(
  client: PoolClient,
  input: { partId: string; connectionId: string },
): Promise<void> {
  await client.query(
    `delete from public.part_presence
     where user_id = auth.uid() and seen_at < now() - make_interval(secs => $1)`,
    [PRESENCE_GARBAGE_SECONDS],
  );
  await client.query(
    `insert into public.part_presence (part_id, user_id, connection_id) values ($1, auth.uid(), $2)
     on conflict (part_id, user_id, connection_id) do update set seen_at = now()`,
    [input.partId, input.connectionId],
  );
}

/** The caller closed the part on this connection. */
export async function leavePresence(
  client: PoolClient,
  input: { partId: string; connectionId: string },
): Promise<void> {
  await client.query(
    "delete from public.part_presence where part_id = $1 and user_id = auth.uid() and connection_id = $2",
    [input.partId, input.connectionId],
  );
}

/** Who has the part open now (seen within PRESENCE_WINDOW_SECONDS), one entry per user, earliest first. */
export async function listPresence(client: PoolClient, partId: string): Promise<PresentUser[]> {
  const { rows } = await client.query<{ userId: string; email: string | null; since: Date }>(
    `select pp.user_id as "userId", pr.email, min(pp.joined_at) as since
     from public.part_presence pp left join public.profiles pr on pr.user_id = pp.user_id
     where pp.part_id = $1 and pp.seen_at > now() - make_interval(secs => $2)
     group by pp.user_id, pr.email
     order by since, pp.user_id`,
    [partId, PRESENCE_WINDOW_SECONDS],
  );
  return rows.map((r) => ({ userId: r.userId, email: r.email, since: iso(r.since) as string }));
}
