/**
 * Row-level security, table by table: who may select, insert, update and delete a row of a workspace.
 *
 * The actors are the five members of workspace W (one per role) and an outsider, who is the admin of
 * another workspace (so "denied" is never just "has no role anywhere"). Every cell runs once in its own
 * transaction as `authenticated` with the actor's JWT claims, and is rolled back: cells do not affect
 * each other. After the matrix come the nuances a single representative row per table cannot show.
 */
import { randomBytes } from "node:crypto";
import { blobKey, DEFAULT_TAXONOMY } from "@facet/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Claims } from "./session";
import {
  type As,
  type Attempt,
  addMember,
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  labelCompletely,
  type TestDatabase,
  type TestUser,
} from "./testing";

const TABLES = [
  "profiles",
  "workspaces",
  "workspace_members",
  "invitations",
  "invitation_uses",
  "audit_events",
  "label_schemas",
  "datasets",
  "blobs",
  "parts",
  "annotation_revisions",
  "jobs",
  "api_keys",
  "part_geometry",
  "part_presence",
  "part_reviews",
  "share_links",
  "comments",
  "notifications",
  "independent_annotations",
  "workspace_blobs",
  "part_catalog",
  "saved_filters",
  "snapshots",
  "snapshot_parts",
  "snapshot_exports",
  "label_schema_mappings",
  "label_schema_mapped_parts",
  "work_time",
  "prelabel_models",
  "prelabel_model_revisions",
] as const;
const OPS = ["select", "insert", "update", "delete"] as const;
const ACTORS = ["admin", "engineer", "annotator", "ml_engineer", "viewer", "outsider"] as const;
type Table = (typeof TABLES)[number];
type Op = (typeof OPS)[number];
type Actor = (typeof ACTORS)[number];

const Y = true;
const N = false;
function who(
  admin: boolean,
  engineer: boolean,
  annotator: boolean,
  ml_engineer: boolean,
  viewer: boolean,
  outsider: boolean,
): Record<Actor, boolean> {
  return { admin, engineer, annotator, ml_engineer, viewer, outsider };
}

/**
 * The design, as the policies in supabase/migrations implement it. The row each cell acts on is
 * described in CELLS below (e.g. parts/update = change the tags of a queued part nobody holds).
 */
// biome-ignore format: a table, aligned for reading
const EXPECTED: Record<Table, Record<Op, Record<Actor, boolean>>> = {
  //                             admin engineer annotator ml_eng viewer outsider
  profiles: {                 // a co-member's profile (users edit only their own: see nuances)
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N), // created with auth.users
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  workspaces: {
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N), // only through create_workspace()
    update:                 who(Y,    N,       N,        N,     N,     N),
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  workspace_members: {        // another member's membership
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    N,       N,        N,     N,     N),
    update:                 who(Y,    N,       N,        N,     N,     N),
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  invitations: {
    select:                 who(Y,    N,       N,        N,     N,     N),
    insert:                 who(Y,    N,       N,        N,     N,     N),
    update:                 who(Y,    N,       N,        N,     N,     N),
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  invitation_uses: {          // the co-member joined with W's invitation; written by accept_invitation only
    select:                 who(Y,    N,       N,        N,     N,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  audit_events: {             // append-only, written by security-definer functions only
    select:                 who(Y,    N,       N,        N,     N,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  label_schemas: {
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    N,       N,        N,     N,     N),
    update:                 who(Y,    N,       N,        N,     N,     N),
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  datasets: {
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       N,        Y,     N,     N),
    update:                 who(Y,    Y,       N,        Y,     N,     N),
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  blobs: {                    // global (content-addressed); visible through a part that uses them
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N), // the service, after verifying the bytes
    update:                 who(N,    N,       N,        N,     N,     N), // the service verifies
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  workspace_blobs: {          // W has proven it holds the spare blob (written by the service only)
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  parts: {
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       N,        N,     N,     N), // of content W holds (the spare blob)
    update:                 who(Y,    Y,       N,        Y,     N,     N), // tags of a part nobody holds
    delete:                 who(Y,    Y,       N,        N,     N,     N),
  },
  annotation_revisions: {     // append-only
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       Y,        N,     N,     N), // the annotator holds the part
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  jobs: {
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       N,        N,     N,     N),
    update:                 who(Y,    Y,       N,        N,     N,     N), // cancel a queued job
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  part_geometry: {            // derived from a blob a part of W uses; written by the worker only
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  part_presence: {            // the co-member has W's held part open (inserts: oneself on a part of W)
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       Y,        Y,     Y,     N),
    update:                 who(N,    N,       N,        N,     N,     N), // own rows only: see nuances
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  api_keys: {                 // the co-member's key bound to W (inserts: a W-bound key for oneself)
    select:                 who(Y,    N,       N,        N,     N,     N), // owner or W's admin
    insert:                 who(Y,    N,       N,        N,     N,     N), // workspace keys need an admin
    update:                 who(Y,    N,       N,        N,     N,     N), // revoke
    delete:                 who(Y,    N,       N,        N,     N,     N),
  },
  part_reviews: {             // append-only; a decision comes with the status change it makes
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       N,        N,     N,     N), // approve the co-member's work
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  share_links: {
    select:                 who(Y,    Y,       N,        N,     N,     N),
    insert:                 who(Y,    Y,       N,        N,     N,     N),
    update:                 who(Y,    Y,       N,        N,     N,     N), // revoke
    delete:                 who(N,    N,       N,        N,     N,     N), // a revoked link stays on record
  },
  comments: {                 // the co-member's thread on the queued part
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       Y,        Y,     N,     N),
    update:                 who(Y,    Y,       Y,        Y,     N,     N), // resolve
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  independent_annotations: {  // the co-member's recorded annotation of the part in review
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N), // recorded by the submission trigger only
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  notifications: {            // the actor's own notification from W (the outsider's: from when a member)
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N), // written by triggers only
    update:                 who(Y,    Y,       Y,        Y,     Y,     N), // mark read
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  part_catalog: {             // the review part, its geometry and latest labels summarised; written by triggers only
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  saved_filters: {            // the co-member's shared filter (inserts: one's own)
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    Y,       Y,        Y,     Y,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  snapshots: {                // immutable; made by freeze_snapshot only (ML engineers and admins)
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  snapshot_parts: {
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  snapshot_exports: {         // requested by request_export only; completed by the worker
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  label_schema_mappings: {    // how a version was made from an earlier one: admins write it once
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  label_schema_mapped_parts: { // a part a mapping was applied to: admins record it once
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(Y,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  work_time: {                // the co-member's active time on W's held part (inserts: oneself on the queued part)
    select:                 who(Y,    N,       N,        N,     N,     N), // admins (analytics); others their own
    insert:                 who(N,    N,       N,        N,     N,     N), // only the holder, on the part held
    update:                 who(N,    N,       N,        N,     N,     N), // own rows only
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  prelabel_models: {          // a learned pre-labeler version of W's dataset: the worker writes it
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N), // train now: request_prelabel_training
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
  prelabel_model_revisions: { // an approved revision that model trained on
    select:                 who(Y,    Y,       Y,        Y,     Y,     N),
    insert:                 who(N,    N,       N,        N,     N,     N),
    update:                 who(N,    N,       N,        N,     N,     N),
    delete:                 who(N,    N,       N,        N,     N,     N),
  },
};

/** The rows of workspace W the cells act on (arranged once, as the owner, and committed). */
interface Fixture {
  workspaceId: string;
  datasetId: string;
  defaultSchemaId: string;
  unusedSchemaId: string;
  actors: Record<Actor, TestUser>;
  /** A second annotator of W: their profile and membership are the rows acted on. */
  coMember: TestUser;
  /** A user who is in no workspace (to be added as a member). */
  newcomer: TestUser;
  /** An auth user whose profile row does not exist (to try inserting it). */
  profileless: TestUser;
  /** unannotated, nobody holds it. */
  queuedPartId: string;
  queuedBlob: string;
  /** in_progress, held by W's annotator; has revision 1 and a queued job. */
  heldPartId: string;
  revisionId: string;
  jobId: string;
  geometryId: string;
  /** The co-member's API key, bound to W. */
  apiKeyId: string;
  invitationId: string;
  /** The co-member's use of that invitation. */
  invitationUseId: string;
  auditEventId: number;
  /** A blob no part uses yet; W has proven it holds it (workspace_blobs). */
  spareBlob: string;
  /** A stored blob that no workspace has proven to hold. */
  unheldBlob: string;
  /** A hash no blob has yet. */
  newHash: string;
  /** The outsider's own workspace. */
  elsewhereWorkspaceId: string;
  /** in_review, submitted by the co-member (who saved its only revision). */
  reviewPartId: string;
  reviewRevisionId: string;
  /** An engineer's approval of another part of the co-member's. */
  reviewId: string;
  /** A link to the queued part, with comment rights, made by W's admin; `shareToken` is its token. */
  shareLinkId: string;
  shareToken: string;
  /** A thread the co-member started on the queued part. */
  commentId: string;
  /** The co-member's notification of that approval (every actor has one of their own in W too). */
  coMemberNotificationId: number;
  /** Frozen by W's ML engineer from a dataset of its own (one labelled part), with a requested export. */
  snapshotId: string;
  snapshotPartId: string;
  exportId: string;
  /** The co-member's shared saved filter. */
  savedFilterId: string;
  /** Default v3, made from the default (v1) with a mapping, applied to the review part; v4 has no mapping yet. */
  mappedSchemaId: string;
  spareVersionId: string;
  /** A learned pre-labeler version of W's dataset, trained on the review part's revision. */
  prelabelModelId: string;
}

type Cell = (c: pg.PoolClient, f: Fixture, me: TestUser) => Promise<number>;

async function rows(c: pg.PoolClient, sql: string, params: unknown[]): Promise<number> {
  return (await c.query(sql, params)).rowCount ?? 0;
}

const hex64 = () => randomBytes(32).toString("hex");
const TAXONOMY = JSON.stringify(DEFAULT_TAXONOMY);

/** What each cell does. Inserts have no RETURNING (that would also need the select policy). */
const CELLS: Record<Table, Record<Op, Cell>> = {
  profiles: {
    select: (c, f) => rows(c, "select 1 from public.profiles where user_id = $1", [f.coMember.id]),
    insert: (c, f) =>
      rows(c, "insert into public.profiles (user_id, email) values ($1, $2)", [f.profileless.id, f.profileless.email]),
    update: (c, f) =>
      rows(c, "update public.profiles set display_name = 'Renamed' where user_id = $1", [f.coMember.id]),
    delete: (c, f) => rows(c, "delete from public.profiles where user_id = $1", [f.coMember.id]),
  },
  workspaces: {
    select: (c, f) => rows(c, "select 1 from public.workspaces where id = $1", [f.workspaceId]),
    insert: (c, _f, me) =>
      rows(c, "insert into public.workspaces (name, slug, created_by) values ('Mine', $1, $2)", [
        `mine-${randomBytes(4).toString("hex")}`,
        me.id,
      ]),
    update: (c, f) => rows(c, "update public.workspaces set name = 'Renamed' where id = $1", [f.workspaceId]),
    // with everything in it: members, schemas, datasets, parts, revisions, jobs, invitations
    delete: (c, f) => rows(c, "delete from public.workspaces where id = $1", [f.workspaceId]),
  },
  workspace_members: {
    select: (c, f) =>
      rows(c, "select 1 from public.workspace_members where workspace_id = $1 and user_id = $2", [
        f.workspaceId,
        f.coMember.id,
      ]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.workspace_members (workspace_id, user_id, role, invited_by) values ($1, $2, 'viewer', $3)",
        [f.workspaceId, f.newcomer.id, me.id],
      ),
    update: (c, f) =>
      rows(c, "update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2", [
        f.workspaceId,
        f.coMember.id,
      ]),
    delete: (c, f) =>
      rows(c, "delete from public.workspace_members where workspace_id = $1 and user_id = $2", [
        f.workspaceId,
        f.coMember.id,
      ]),
  },
  invitations: {
    select: (c, f) => rows(c, "select 1 from public.invitations where id = $1", [f.invitationId]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.invitations (workspace_id, role, token_hash, expires_at, created_by)
         values ($1, 'annotator', $2, now() + interval '7 days', $3)`,
        [f.workspaceId, hex64(), me.id],
      ),
    update: (c, f) => rows(c, "update public.invitations set revoked_at = now() where id = $1", [f.invitationId]),
    delete: (c, f) => rows(c, "delete from public.invitations where id = $1", [f.invitationId]),
  },
  invitation_uses: {
    select: (c, f) => rows(c, "select 1 from public.invitation_uses where id = $1", [f.invitationUseId]),
    insert: (c, f, me) =>
      rows(c, "insert into public.invitation_uses (invitation_id, workspace_id, user_id) values ($1, $2, $3)", [
        f.invitationId,
        f.workspaceId,
        me.id,
      ]),
    update: (c, f) => rows(c, "update public.invitation_uses set used_at = now() where id = $1", [f.invitationUseId]),
    delete: (c, f) => rows(c, "delete from public.invitation_uses where id = $1", [f.invitationUseId]),
  },
  audit_events: {
    select: (c, f) => rows(c, "select 1 from public.audit_events where id = $1", [f.auditEventId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.audit_events (workspace_id, actor_id, actor_kind, action) values ($1, $2, 'user', 'part.approved')",
        [f.workspaceId, me.id],
      ),
    update: (c, f) => rows(c, "update public.audit_events set data = '{}' where id = $1", [f.auditEventId]),
    delete: (c, f) => rows(c, "delete from public.audit_events where id = $1", [f.auditEventId]),
  },
  label_schemas: {
    select: (c, f) => rows(c, "select 1 from public.label_schemas where id = $1", [f.defaultSchemaId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.label_schemas (workspace_id, name, version, taxonomy, created_by) values ($1, 'Default', 2, $2, $3)",
        [f.workspaceId, TAXONOMY, me.id],
      ),
    update: (c, f) => rows(c, "update public.label_schemas set is_default = false where id = $1", [f.defaultSchemaId]),
    delete: (c, f) => rows(c, "delete from public.label_schemas where id = $1", [f.unusedSchemaId]),
  },
  datasets: {
    select: (c, f) => rows(c, "select 1 from public.datasets where id = $1", [f.datasetId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.datasets (workspace_id, name, label_schema_id, created_by) values ($1, 'more parts', $2, $3)",
        [f.workspaceId, f.defaultSchemaId, me.id],
      ),
    update: (c, f) =>
      rows(c, "update public.datasets set description = 'brackets from the 2026 batch' where id = $1", [f.datasetId]),
    // with its parts, their revisions and jobs
    delete: (c, f) => rows(c, "delete from public.datasets where id = $1", [f.datasetId]),
  },
  blobs: {
    select: (c, f) => rows(c, "select 1 from public.blobs where sha256 = $1", [f.queuedBlob]),
    insert: (c, f) =>
      rows(c, "insert into public.blobs (sha256, size, storage_key) values ($1, 1234, $2)", [
        f.newHash,
        blobKey(f.newHash),
      ]),
    update: (c, f) => rows(c, "update public.blobs set verified_at = now() where sha256 = $1", [f.queuedBlob]),
    delete: (c, f) => rows(c, "delete from public.blobs where sha256 = $1", [f.spareBlob]),
  },
  workspace_blobs: {
    select: (c, f) =>
      rows(c, "select 1 from public.workspace_blobs where workspace_id = $1 and sha256 = $2", [
        f.workspaceId,
        f.spareBlob,
      ]),
    insert: (c, f) =>
      rows(c, "insert into public.workspace_blobs (workspace_id, sha256) values ($1, $2)", [
        f.workspaceId,
        f.unheldBlob,
      ]),
    update: (c, f) =>
      rows(c, "update public.workspace_blobs set proven_at = now() where workspace_id = $1 and sha256 = $2", [
        f.workspaceId,
        f.spareBlob,
      ]),
    delete: (c, f) =>
      rows(c, "delete from public.workspace_blobs where workspace_id = $1 and sha256 = $2", [
        f.workspaceId,
        f.spareBlob,
      ]),
  },
  parts: {
    select: (c, f) => rows(c, "select 1 from public.parts where id = $1", [f.queuedPartId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.parts (workspace_id, dataset_id, blob_sha256, name, created_by) values ($1, $2, $3, 'bracket.step', $4)",
        [f.workspaceId, f.datasetId, f.spareBlob, me.id],
      ),
    update: (c, f) => rows(c, "update public.parts set tags = '{sheet-metal}' where id = $1", [f.queuedPartId]),
    // the part being annotated, with its revision and job
    delete: (c, f) => rows(c, "delete from public.parts where id = $1", [f.heldPartId]),
  },
  annotation_revisions: {
    select: (c, f) => rows(c, "select 1 from public.annotation_revisions where id = $1", [f.revisionId]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.annotation_revisions (part_id, revision_no, parent_id, author_id, document)
         values ($1, 2, $2, $3, '{"faces": {"0": "hole"}}')`,
        [f.heldPartId, f.revisionId, me.id],
      ),
    update: (c, f) => rows(c, "update public.annotation_revisions set document = '{}' where id = $1", [f.revisionId]),
    delete: (c, f) => rows(c, "delete from public.annotation_revisions where id = $1", [f.revisionId]),
  },
  jobs: {
    select: (c, f) => rows(c, "select 1 from public.jobs where id = $1", [f.jobId]),
    insert: (c, f, me) =>
      rows(c, "insert into public.jobs (workspace_id, kind, part_id, created_by) values ($1, 'tessellate', $2, $3)", [
        f.workspaceId,
        f.queuedPartId,
        me.id,
      ]),
    update: (c, f) => rows(c, "update public.jobs set status = 'canceled' where id = $1", [f.jobId]),
    delete: (c, f) => rows(c, "delete from public.jobs where id = $1", [f.jobId]),
  },
  part_geometry: {
    select: (c, f) => rows(c, "select 1 from public.part_geometry where id = $1", [f.geometryId]),
    insert: (c, f) =>
      rows(
        c,
        `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           face_count, triangle_count, face_signature, area, bbox)
         values ($1, 'forged', 'p', '{}', 'm', 'f', 1, 1, 's', 1, '{}')`,
        [f.queuedBlob],
      ),
    update: (c, f) => rows(c, "update public.part_geometry set face_count = 2 where id = $1", [f.geometryId]),
    delete: (c, f) => rows(c, "delete from public.part_geometry where id = $1", [f.geometryId]),
  },
  part_presence: {
    select: (c, f) =>
      rows(c, "select 1 from public.part_presence where part_id = $1 and user_id = $2", [f.heldPartId, f.coMember.id]),
    insert: (c, f, me) =>
      rows(c, "insert into public.part_presence (part_id, user_id, connection_id) values ($1, $2, 'cell')", [
        f.queuedPartId,
        me.id,
      ]),
    update: (c, f) =>
      rows(c, "update public.part_presence set seen_at = now() where part_id = $1 and user_id = $2", [
        f.heldPartId,
        f.coMember.id,
      ]),
    delete: (c, f) =>
      rows(c, "delete from public.part_presence where part_id = $1 and user_id = $2", [f.heldPartId, f.coMember.id]),
  },
  api_keys: {
    select: (c, f) => rows(c, "select 1 from public.api_keys where id = $1", [f.apiKeyId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes) values ($1, $2, 'bot', 'abcdefgh', $3, '{ingest}')",
        [f.workspaceId, me.id, hex64()],
      ),
    update: (c, f) => rows(c, "update public.api_keys set revoked_at = now() where id = $1", [f.apiKeyId]),
    delete: (c, f) => rows(c, "delete from public.api_keys where id = $1", [f.apiKeyId]),
  },
  part_reviews: {
    select: (c, f) => rows(c, "select 1 from public.part_reviews where id = $1", [f.reviewId]),
    // approving the part in review, then recording the decision: the way a review is made
    insert: async (c, f, me) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [f.reviewPartId]);
      return rows(
        c,
        "insert into public.part_reviews (part_id, revision_id, decision, reviewer_id) values ($1, $2, 'approved', $3)",
        [f.reviewPartId, f.reviewRevisionId, me.id],
      );
    },
    update: (c, f) => rows(c, "update public.part_reviews set summary = 'edited' where id = $1", [f.reviewId]),
    delete: (c, f) => rows(c, "delete from public.part_reviews where id = $1", [f.reviewId]),
  },
  independent_annotations: {
    select: (c, f) =>
      rows(c, "select 1 from public.independent_annotations where part_id = $1 and annotator_id = $2", [
        f.reviewPartId,
        f.coMember.id,
      ]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.independent_annotations (part_id, workspace_id, annotator_id, revision_id, face_signature)
         values ($1, $2, $3, $4, 'another-numbering')`,
        [f.reviewPartId, f.workspaceId, me.id, f.reviewRevisionId],
      ),
    update: (c, f) =>
      rows(c, "update public.independent_annotations set created_at = now() where part_id = $1", [f.reviewPartId]),
    delete: (c, f) => rows(c, "delete from public.independent_annotations where part_id = $1", [f.reviewPartId]),
  },
  share_links: {
    select: (c, f) => rows(c, "select 1 from public.share_links where id = $1", [f.shareLinkId]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.share_links (workspace_id, part_id, token_hash, access, expires_at, created_by)
         values ($1, $2, $3, 'read', now() + interval '7 days', $4)`,
        [f.workspaceId, f.queuedPartId, hex64(), me.id],
      ),
    update: (c, f) => rows(c, "update public.share_links set revoked_at = now() where id = $1", [f.shareLinkId]),
    delete: (c, f) => rows(c, "delete from public.share_links where id = $1", [f.shareLinkId]),
  },
  comments: {
    select: (c, f) => rows(c, "select 1 from public.comments where id = $1", [f.commentId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.comments (part_id, body, author_id, author_name) values ($1, 'Fillet or chamfer?', $2, '-')",
        [f.queuedPartId, me.id],
      ),
    update: (c, f) => rows(c, "update public.comments set resolved_at = now() where id = $1", [f.commentId]),
    delete: (c, f) => rows(c, "delete from public.comments where id = $1", [f.commentId]),
  },
  notifications: {
    select: (c, f, me) =>
      rows(c, "select 1 from public.notifications where workspace_id = $1 and user_id = $2", [f.workspaceId, me.id]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.notifications (workspace_id, user_id, kind, part_id, summary)
         values ($1, $2, 'mention', $3, 'you were mentioned')`,
        [f.workspaceId, me.id, f.queuedPartId],
      ),
    update: (c, f, me) =>
      rows(c, "update public.notifications set read_at = now() where workspace_id = $1 and user_id = $2", [
        f.workspaceId,
        me.id,
      ]),
    delete: (c, f, me) =>
      rows(c, "delete from public.notifications where workspace_id = $1 and user_id = $2", [f.workspaceId, me.id]),
  },
  part_catalog: {
    select: (c, f) => rows(c, "select 1 from public.part_catalog where part_id = $1", [f.reviewPartId]),
    insert: (c, f) =>
      rows(
        c,
        `insert into public.part_catalog (part_id, workspace_id, dataset_id, name, status, tags, created_at,
           status_changed_at)
         values ($1, $2, $3, 'forged.step', 'approved', '{}', now(), now())`,
        [f.reviewPartId, f.workspaceId, f.datasetId],
      ),
    update: (c, f) =>
      rows(c, "update public.part_catalog set features = '{slot}' where part_id = $1", [f.reviewPartId]),
    delete: (c, f) => rows(c, "delete from public.part_catalog where part_id = $1", [f.reviewPartId]),
  },
  saved_filters: {
    select: (c, f) => rows(c, "select 1 from public.saved_filters where id = $1", [f.savedFilterId]),
    insert: (c, f, me) =>
      rows(
        c,
        "insert into public.saved_filters (workspace_id, user_id, name, query) values ($1, $2, 'mine', 'has=slot')",
        [f.workspaceId, me.id],
      ),
    update: (c, f) => rows(c, "update public.saved_filters set query = 'has=slot' where id = $1", [f.savedFilterId]),
    delete: (c, f) => rows(c, "delete from public.saved_filters where id = $1", [f.savedFilterId]),
  },
  snapshots: {
    select: (c, f) => rows(c, "select 1 from public.snapshots where id = $1", [f.snapshotId]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.snapshots (workspace_id, dataset_id, name, part_count, face_count, checksum, created_by)
         values ($1, $2, 'forged', 0, 0, $3, $4)`,
        [f.workspaceId, f.datasetId, hex64(), me.id],
      ),
    update: (c, f) => rows(c, "update public.snapshots set description = 'edited' where id = $1", [f.snapshotId]),
    delete: (c, f) => rows(c, "delete from public.snapshots where id = $1", [f.snapshotId]),
  },
  snapshot_parts: {
    select: (c, f) =>
      rows(c, "select 1 from public.snapshot_parts where snapshot_id = $1 and part_id = $2", [
        f.snapshotId,
        f.snapshotPartId,
      ]),
    insert: (c, f) =>
      rows(
        c,
        `insert into public.snapshot_parts (snapshot_id, part_id, workspace_id, name, blob_sha256, revision_id,
           revision_no, face_count, schema_version, document_sha256, status)
         values ($1, $2, $3, 'held.step', $4, $5, 1, 0, 1, $6, 'in_progress')`,
        [f.snapshotId, f.heldPartId, f.workspaceId, f.queuedBlob, f.revisionId, hex64()],
      ),
    update: (c, f) =>
      rows(c, "update public.snapshot_parts set split = 'train' where snapshot_id = $1 and part_id = $2", [
        f.snapshotId,
        f.snapshotPartId,
      ]),
    delete: (c, f) =>
      rows(c, "delete from public.snapshot_parts where snapshot_id = $1 and part_id = $2", [
        f.snapshotId,
        f.snapshotPartId,
      ]),
  },
  snapshot_exports: {
    select: (c, f) => rows(c, "select 1 from public.snapshot_exports where id = $1", [f.exportId]),
    insert: (c, f) =>
      rows(c, "insert into public.snapshot_exports (workspace_id, snapshot_id, format) values ($1, $2, 'mfcad')", [
        f.workspaceId,
        f.snapshotId,
      ]),
    update: (c, f) => rows(c, "update public.snapshot_exports set archive_key = 'x' where id = $1", [f.exportId]),
    delete: (c, f) => rows(c, "delete from public.snapshot_exports where id = $1", [f.exportId]),
  },
  label_schema_mappings: {
    select: (c, f) => rows(c, "select 1 from public.label_schema_mappings where to_schema_id = $1", [f.mappedSchemaId]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.label_schema_mappings (to_schema_id, workspace_id, from_schema_id, mapping, created_by)
         values ($1, $2, $3, '{}', $4)`,
        [f.spareVersionId, f.workspaceId, f.defaultSchemaId, me.id],
      ),
    update: (c, f) =>
      rows(c, "update public.label_schema_mappings set mapping = '{}' where to_schema_id = $1", [f.mappedSchemaId]),
    delete: (c, f) => rows(c, "delete from public.label_schema_mappings where to_schema_id = $1", [f.mappedSchemaId]),
  },
  label_schema_mapped_parts: {
    select: (c, f) =>
      rows(c, "select 1 from public.label_schema_mapped_parts where to_schema_id = $1 and part_id = $2", [
        f.mappedSchemaId,
        f.reviewPartId,
      ]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.label_schema_mapped_parts (to_schema_id, part_id, workspace_id, from_revision_id, created_by)
         values ($1, $2, $3, $4, $5)`,
        [f.mappedSchemaId, f.heldPartId, f.workspaceId, f.revisionId, me.id],
      ),
    update: (c, f) =>
      rows(c, "update public.label_schema_mapped_parts set split_faces = 1 where to_schema_id = $1 and part_id = $2", [
        f.mappedSchemaId,
        f.reviewPartId,
      ]),
    delete: (c, f) =>
      rows(c, "delete from public.label_schema_mapped_parts where to_schema_id = $1 and part_id = $2", [
        f.mappedSchemaId,
        f.reviewPartId,
      ]),
  },
  work_time: {
    select: (c, f) =>
      rows(c, "select 1 from public.work_time where part_id = $1 and user_id = $2", [f.heldPartId, f.coMember.id]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.work_time (workspace_id, part_id, user_id, session_id, active_ms)
         values ($1, $2, $3, gen_random_uuid(), 1000)`,
        [f.workspaceId, f.queuedPartId, me.id],
      ),
    update: (c, f) =>
      rows(c, "update public.work_time set active_ms = active_ms + 1 where part_id = $1 and user_id = $2", [
        f.heldPartId,
        f.coMember.id,
      ]),
    delete: (c, f) =>
      rows(c, "delete from public.work_time where part_id = $1 and user_id = $2", [f.heldPartId, f.coMember.id]),
  },
  prelabel_models: {
    select: (c, f) => rows(c, "select 1 from public.prelabel_models where id = $1", [f.prelabelModelId]),
    insert: (c, f, me) =>
      rows(
        c,
        `insert into public.prelabel_models (workspace_id, dataset_id, version, reason, requested_by)
         values ($1, $2, 2, 'manual', $3)`,
        [f.workspaceId, f.datasetId, me.id],
      ),
    update: (c, f) =>
      rows(c, "update public.prelabel_models set status = 'retired' where id = $1", [f.prelabelModelId]),
    delete: (c, f) => rows(c, "delete from public.prelabel_models where id = $1", [f.prelabelModelId]),
  },
  prelabel_model_revisions: {
    select: (c, f) => rows(c, "select 1 from public.prelabel_model_revisions where model_id = $1", [f.prelabelModelId]),
    insert: (c, f) =>
      rows(
        c,
        `insert into public.prelabel_model_revisions (model_id, part_id, revision_id, held_out)
         values ($1, $2, $3, false)`,
        [f.prelabelModelId, f.heldPartId, f.revisionId],
      ),
    update: (c, f) =>
      rows(c, "update public.prelabel_model_revisions set held_out = true where model_id = $1", [f.prelabelModelId]),
    delete: (c, f) => rows(c, "delete from public.prelabel_model_revisions where model_id = $1", [f.prelabelModelId]),
  },
};

type Verdict = "allowed" | "denied";

/**
 * allowed: exactly one row seen / written, no error. denied: 42501 (privilege or RLS) or a Facet
 * FC00x refusal, or no row seen / written, or "no such part" from a trigger that looks the row's part
 * up as the caller (share_links_guard: a part RLS hides does not exist for them). Anything else (a
 * constraint violation, 2 rows) is a broken cell, reported as such rather than counted as a denial.
 */
function judge(r: Attempt<number>): { verdict: Verdict | "broken"; why: string } {
  if (r.ok) {
    if (r.value === 1) return { verdict: "allowed", why: "1 row" };
    if (r.value === 0) return { verdict: "denied", why: "0 rows" };
    return { verdict: "broken", why: `${r.value} rows` };
  }
  const why = `${r.code}: ${r.message}`;
  const refused = r.code === "42501" || /^FC00\d$/.test(r.code) || (r.code === "23503" && r.message === "no such part");
  return { verdict: refused ? "denied" : "broken", why };
}

const asUser = (u: TestUser): As => ({ role: "authenticated", claims: u.claims });

let db: TestDatabase;
let f: Fixture;

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows: r } = await db.owner.query(sql, params);
  if (r.length !== 1) throw new Error(`expected one row from: ${sql}`);
  return r[0] as T;
}

async function arrange(owner: pg.Pool): Promise<Fixture> {
  const w = await createWorkspaceWithRoles(owner, "rls");
  const other = await createWorkspaceWithRoles(owner, "elsewhere");
  await insertParts(owner, {
    workspaceId: other.workspaceId,
    datasetId: other.datasetId,
    count: 2,
    status: "unannotated",
  });

  const coMember = await createUser(owner, "rls-annotator2");
  await addMember(owner, w.workspaceId, coMember.id, "annotator");
  const newcomer = await createUser(owner, "newcomer");
  const profileless = await createUser(owner, "profileless");
  await owner.query("delete from public.profiles where user_id = $1", [profileless.id]);

  const [queuedPartId] = await insertParts(owner, {
    workspaceId: w.workspaceId,
    datasetId: w.datasetId,
    count: 1,
    status: "unannotated",
  });
  const [heldPartId] = await insertParts(owner, {
    workspaceId: w.workspaceId,
    datasetId: w.datasetId,
    count: 1,
    status: "in_progress",
  });
  if (!queuedPartId || !heldPartId) throw new Error("parts not created");
  await owner.query(
    `update public.parts set annotator_id = $2, claimed_at = now(), lease_expires_at = now() + interval '15 minutes',
            claimed_from = 'pre_labeled' where id = $1`,
    [heldPartId, w.users.annotator.id],
  );
  const { sha } = await one<{ sha: string }>("select blob_sha256 as sha from public.parts where id = $1", [
    queuedPartId,
  ]);
  const revision = await one<{ id: string }>(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, document)
     values ($1, 1, $2, $3, '{"faces": {}}') returning id`,
    [heldPartId, w.users.annotator.id, w.labelSchemaId],
  );
  // the co-member's active time on the held part (recorded as the owner: the guard's limits are for users)
  await owner.query(
    `insert into public.work_time (workspace_id, part_id, user_id, session_id, active_ms)
     values ($1, $2, $3, gen_random_uuid(), 5000)`,
    [w.workspaceId, heldPartId, coMember.id],
  );
  const spareBlob = hex64();
  await owner.query("insert into public.blobs (sha256, size, storage_key) values ($1, 99, $2)", [
    spareBlob,
    blobKey(spareBlob),
  ]);
  // W has proven it holds the spare blob (its parts may use it); nobody has proven the unheld one
  await owner.query("insert into public.workspace_blobs (workspace_id, sha256) values ($1, $2)", [
    w.workspaceId,
    spareBlob,
  ]);
  const unheldBlob = hex64();
  await owner.query("insert into public.blobs (sha256, size, storage_key) values ($1, 99, $2)", [
    unheldBlob,
    blobKey(unheldBlob),
  ]);
  const unused = await one<{ id: string }>(
    "insert into public.label_schemas (workspace_id, name, taxonomy) values ($1, 'Unused', $2) returning id",
    [w.workspaceId, TAXONOMY],
  );
  const invitation = await one<{ id: string }>(
    `insert into public.invitations (workspace_id, role, token_hash, expires_at, created_by)
     values ($1, 'annotator', $2, now() + interval '7 days', $3) returning id`,
    [w.workspaceId, hex64(), w.users.admin.id],
  );
  const invitationUse = await one<{ id: string }>(
    "insert into public.invitation_uses (invitation_id, workspace_id, user_id) values ($1, $2, $3) returning id",
    [invitation.id, w.workspaceId, coMember.id],
  );
  const job = await one<{ id: string }>(
    "insert into public.jobs (workspace_id, kind, part_id, created_by) values ($1, 'prelabel', $2, $3) returning id",
    [w.workspaceId, heldPartId, w.users.admin.id],
  );
  const geometry = await one<{ id: string }>(
    `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
       face_count, triangle_count, face_signature, area, bbox)
     values ($1, 'test', 'p', '{}', 'm', 'f', 6, 12, 'sig', 6, '{}') returning id`,
    [sha],
  );
  await owner.query("insert into public.part_presence (part_id, user_id, connection_id) values ($1, $2, 'tab')", [
    heldPartId,
    coMember.id,
  ]);
  const apiKey = await one<{ id: string }>(
    `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes)
     values ($1, $2, 'co-member key', 'cOmEmBeR', $3, '{read,ingest}') returning id`,
    [w.workspaceId, coMember.id, hex64()],
  );
  const event = await one<{ id: number }>(
    "select id from public.audit_events where workspace_id = $1 and action = 'member.created' order by id limit 1",
    [w.workspaceId],
  );

  // review and collaboration
  const [reviewPartId, decidedPartId] = await insertParts(owner, {
    workspaceId: w.workspaceId,
    datasetId: w.datasetId,
    count: 2,
    status: "in_review",
  });
  if (!reviewPartId || !decidedPartId) throw new Error("parts not created");
  await owner.query("update public.parts set annotator_id = $2, claimed_from = 'pre_labeled' where id = any($1)", [
    [reviewPartId, decidedPartId],
    coMember.id,
  ]);
  for (const id of [reviewPartId, decidedPartId]) await labelCompletely(owner, id, { authorId: coMember.id });
  const reviewRevision = await one<{ id: string }>("select id from public.annotation_revisions where part_id = $1", [
    reviewPartId,
  ]);
  // the co-member's submission recorded as one of several independent annotations
  await owner.query(
    `insert into public.independent_annotations (part_id, workspace_id, annotator_id, revision_id, face_signature)
     select r.part_id, r.workspace_id, $2, r.id, r.face_signature from public.annotation_revisions r where r.id = $1`,
    [reviewRevision.id, coMember.id],
  );
  const shareToken = randomBytes(24).toString("base64url");
  const shareLink = await one<{ id: string }>(
    `insert into public.share_links (part_id, token_hash, access, expires_at, created_by)
     values ($1, encode(sha256(convert_to($2, 'UTF8')), 'hex'), 'comment', now() + interval '7 days', $3) returning id`,
    [queuedPartId, shareToken, w.users.admin.id],
  );
  // as the users who do these (comments are authored, a decision is recorded with its status change)
  const tx = await owner.connect();
  let reviewId: string;
  let commentId: string;
  try {
    await tx.query("begin");
    await tx.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(coMember.claims)]);
    const comment = await tx.query<{ id: string }>(
      "insert into public.comments (part_id, body, author_id, author_name) values ($1, 'Is face 3 a fillet?', $2, '-') returning id",
      [queuedPartId, coMember.id],
    );
    await tx.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(w.users.engineer.claims)]);
    await tx.query("update public.parts set status = 'approved' where id = $1", [decidedPartId]);
    const review = await tx.query<{ id: string }>(
      `insert into public.part_reviews (part_id, revision_id, decision, summary)
       select part_id, id, 'approved', 'clean' from public.annotation_revisions where part_id = $1 returning id`,
      [decidedPartId],
    );
    await tx.query("commit");
    commentId = comment.rows[0]?.id as string;
    reviewId = review.rows[0]?.id as string;
  } finally {
    tx.release();
  }
  const coMemberNotification = await one<{ id: number }>(
    "select id from public.notifications where user_id = $1 and kind = 'review_approved'",
    [coMember.id],
  );
  // curation: a snapshot frozen by W's ML engineer, an export of it, the co-member's shared filter
  const curatedDataset = await insertDataset(owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
  const [snapshotPartId] = await insertParts(owner, {
    workspaceId: w.workspaceId,
    datasetId: curatedDataset,
    count: 1,
    status: "approved",
  });
  await labelCompletely(owner, snapshotPartId as string, { authorId: coMember.id });
  const curate = await owner.connect();
  let snapshotId: string;
  let exportId: string;
  try {
    await curate.query("begin");
    await curate.query("select set_config('request.jwt.claims', $1, true)", [
      JSON.stringify(w.users.ml_engineer.claims),
    ]);
    const snap = await curate.query<{ id: string }>("select public.freeze_snapshot($1, 'rls-v1') as id", [
      curatedDataset,
    ]);
    snapshotId = snap.rows[0]?.id as string;
    const exp = await curate.query<{ export_id: string }>("select export_id from public.request_export($1, 'jsonl')", [
      snapshotId,
    ]);
    exportId = exp.rows[0]?.export_id as string;
    await curate.query("commit");
  } finally {
    curate.release();
  }
  const savedFilter = await one<{ id: string }>(
    `insert into public.saved_filters (workspace_id, user_id, name, query, shared)
     values ($1, $2, 'approved', 'status=approved', true) returning id`,
    [w.workspaceId, coMember.id],
  );
  const version = (n: number) =>
    one<{ id: string }>(
      "insert into public.label_schemas (workspace_id, name, version, taxonomy) values ($1, 'Default', $2, $3) returning id",
      [w.workspaceId, n, TAXONOMY],
    );
  const mappedSchemaId = (await version(3)).id;
  const spareVersionId = (await version(4)).id;
  await owner.query(
    `insert into public.label_schema_mappings (to_schema_id, workspace_id, from_schema_id, mapping, created_by)
     values ($1, $2, $3, '{}', $4)`,
    [mappedSchemaId, w.workspaceId, w.labelSchemaId, w.users.admin.id],
  );
  await owner.query(
    `insert into public.label_schema_mapped_parts (to_schema_id, part_id, workspace_id, from_revision_id, created_by)
     values ($1, $2, $3, $4, $5)`,
    [mappedSchemaId, reviewPartId, w.workspaceId, reviewRevision.id, w.users.admin.id],
  );
  const prelabelModel = await one<{ id: string }>(
    `insert into public.prelabel_models (workspace_id, dataset_id, version, status, reason, classes, model_sha256,
       size_bytes, evaluation)
     values ($1, $2, 1, 'promoted', 'auto', '{stock}', $3, 100, '{"faceAccuracy": 1}') returning id`,
    [w.workspaceId, w.datasetId, hex64()],
  );
  await owner.query(
    "insert into public.prelabel_model_revisions (model_id, part_id, revision_id, held_out) values ($1, $2, $3, true)",
    [prelabelModel.id, reviewPartId, reviewRevision.id],
  );
  // one of their own for each actor (the outsider's is from W, which they have since left)
  const actors = { ...w.users, outsider: other.users.admin };
  for (const u of Object.values(actors)) {
    await owner.query(
      `insert into public.notifications (workspace_id, user_id, kind, part_id, comment_id, actor_id, actor_name, summary)
       values ($1, $2, 'reply', $3, $4, $5, 'co-member', 'co-member replied on the queued part')`,
      [w.workspaceId, u.id, queuedPartId, commentId, coMember.id],
    );
  }
  return {
    workspaceId: w.workspaceId,
    datasetId: w.datasetId,
    defaultSchemaId: w.labelSchemaId,
    unusedSchemaId: unused.id,
    actors,
    coMember,
    newcomer,
    profileless,
    queuedPartId,
    queuedBlob: sha,
    heldPartId,
    revisionId: revision.id,
    jobId: job.id,
    apiKeyId: apiKey.id,
    geometryId: geometry.id,
    invitationId: invitation.id,
    invitationUseId: invitationUse.id,
    auditEventId: event.id,
    spareBlob,
    unheldBlob,
    newHash: hex64(),
    elsewhereWorkspaceId: other.workspaceId,
    reviewPartId,
    reviewRevisionId: reviewRevision.id,
    reviewId,
    shareLinkId: shareLink.id,
    shareToken,
    commentId,
    coMemberNotificationId: coMemberNotification.id,
    snapshotId,
    snapshotPartId: snapshotPartId as string,
    exportId,
    savedFilterId: savedFilter.id,
    mappedSchemaId,
    spareVersionId,
    prelabelModelId: prelabelModel.id,
  };
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  f = await arrange(db.owner);
});

afterAll(async () => {
  await db.drop();
});

describe("RLS matrix", () => {
  it("covers every table of the public schema", async () => {
    const { rows: tables } = await db.owner.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    expect(tables.map((t) => t.relname)).toEqual([...TABLES].sort());
  });

  it("the outsider is a real admin: they see their own workspace and its parts", async () => {
    const r = await attempt(db.owner, asUser(f.actors.outsider), (c) =>
      c.query<{ ws: number; parts: number }>(
        `select (select count(*)::int from public.workspaces) as ws, (select count(*)::int from public.parts) as parts`,
      ),
    );
    expect(r.ok && r.value.rows[0]).toEqual({ ws: 1, parts: 2 });
  });

  for (const table of TABLES) {
    describe(table, () => {
      for (const op of OPS) {
        for (const actor of ACTORS) {
          const expected: Verdict = EXPECTED[table][op][actor] ? "allowed" : "denied";
          it(`${op} by ${actor}: ${expected}`, async () => {
            const me = f.actors[actor];
            const { verdict, why } = judge(await attempt(db.owner, asUser(me), (c) => CELLS[table][op](c, f, me)));
            expect(verdict, `${table} ${op} by ${actor} (${why})`).toBe(expected);
          });
        }
      }
    });
  }
});

describe("anon", () => {
  it.each(TABLES)("sees no row of %s, even with a member's claims", async (table) => {
    // the owner sees rows there: the zero below is RLS, not an empty table
    const all = await one<{ n: number }>(`select count(*)::int as n from public.${table}`);
    expect(all.n).toBeGreaterThan(0);
    for (const claims of [null, f.actors.admin.claims]) {
      const r = await attempt(db.owner, { role: "anon", claims }, (c) =>
        c.query<{ n: number }>(`select count(*)::int as n from public.${table}`),
      );
      // no row, or no privilege at all (curation tables grant anon nothing)
      expect(r.ok ? r.value.rows[0]?.n : r.code, table).toBe(r.ok ? 0 : "42501");
    }
  });

  it("cannot write either", async () => {
    const anon: As = { role: "anon", claims: f.actors.admin.claims };
    for (const table of ["datasets", "parts", "workspace_members", "jobs", "comments", "share_links"] as const) {
      const { verdict } = judge(await attempt(db.owner, anon, (c) => CELLS[table].insert(c, f, f.actors.admin)));
      expect(verdict, `anon inserts into ${table}`).toBe("denied");
      const del = judge(await attempt(db.owner, anon, (c) => CELLS[table].delete(c, f, f.actors.admin)));
      expect(del.verdict, `anon deletes from ${table}`).toBe("denied");
    }
    const claim = await attempt(db.owner, anon, (c) =>
      c.query("select * from public.claim_next_part($1)", [f.workspaceId]),
    );
    expect(claim).toMatchObject({ ok: false, code: "42501" });
  });

  it("without a share token sees nothing of reviews, share links, comments and notifications, and cannot comment", async () => {
    const count = (table: string) => async (c: pg.PoolClient) =>
      (await c.query<{ n: number }>(`select count(*)::int as n from public.${table}`)).rows[0]?.n;
    const guestComment = (c: pg.PoolClient) =>
      rows(c, "insert into public.comments (part_id, body, author_name) values ($1, 'Nice part', 'Guest')", [
        f.queuedPartId,
      ]);
    const tables = ["part_reviews", "share_links", "comments", "notifications"] as const;
    const shareRequest = (token?: string): As => ({
      role: "anon",
      claims: { role: "anon", ...(token === undefined ? {} : { share_token: token }) } as unknown as Claims,
    });
    for (const who of [{ role: "anon", claims: null } as As, shareRequest(), shareRequest("")]) {
      for (const table of tables) {
        expect(await attempt(db.owner, who, count(table)), `${JSON.stringify(who.claims)} ${table}`).toEqual({
          ok: true,
          value: 0,
        });
      }
      expect(await attempt(db.owner, who, guestComment), JSON.stringify(who.claims)).toMatchObject({
        ok: false,
        code: "42501",
      });
    }
    // the token of the queued part's link (with comment rights): its comment shows and a guest comments,
    // so the zeros above are the missing token; reviews, links and notifications stay hidden all the same
    const guest = shareRequest(f.shareToken);
    const seen: Record<string, number | undefined> = {};
    for (const table of tables) {
      const r = await attempt(db.owner, guest, count(table));
      seen[table] = r.ok ? r.value : -1;
    }
    expect(seen).toEqual({ part_reviews: 0, share_links: 0, comments: 1, notifications: 0 });
    expect(judge(await attempt(db.owner, guest, guestComment)).verdict).toBe("allowed");
  });
});

describe("nuances", () => {
  const as = (actor: Actor | TestUser) => asUser(typeof actor === "string" ? f.actors[actor] : actor);
  const outcome = async (who: As, sql: string, params: unknown[]) =>
    judge(await attempt(db.owner, who, (c) => rows(c, sql, params)));

  /** A part in a given state, committed (each test makes its own). */
  async function part(status: string, annotatorId: string | null = null): Promise<string> {
    const [id] = await insertParts(db.owner, { workspaceId: f.workspaceId, datasetId: f.datasetId, count: 1, status });
    if (!id) throw new Error("part not created");
    if (annotatorId) {
      await db.owner.query(
        `update public.parts set annotator_id = $2, claimed_at = now(), claimed_from = 'pre_labeled',
                lease_expires_at = case when status = 'in_progress' then now() + interval '15 minutes' end
         where id = $1`,
        [id, annotatorId],
      );
    }
    return id;
  }

  describe("parts: the annotator holding a part", () => {
    it("submits it (in_progress -> in_review); another annotator of the workspace cannot", async () => {
      const id = await part("in_progress", f.actors.annotator.id);
      const submit = "update public.parts set status = 'in_review' where id = $1";
      // only once every face is labelled (the submission rule, FC008)
      expect(await attempt(db.owner, as("annotator"), (c) => rows(c, submit, [id]))).toMatchObject({
        ok: false,
        code: "FC008",
      });
      await labelCompletely(db.owner, id, { authorId: f.actors.annotator.id });
      expect((await outcome(as(f.coMember), submit, [id])).verdict).toBe("denied");
      expect((await outcome(as("annotator"), submit, [id])).verdict).toBe("allowed");
    });

    it("releases it (in_progress -> pre_labeled); another annotator cannot", async () => {
      const id = await part("in_progress", f.actors.annotator.id);
      const release = "update public.parts set status = 'pre_labeled' where id = $1";
      expect((await outcome(as(f.coMember), release, [id])).verdict).toBe("denied");
      expect((await outcome(as("annotator"), release, [id])).verdict).toBe("allowed");
    });

    it("changes only its status: not its name, tags or split", async () => {
      const id = await part("in_progress", f.actors.annotator.id);
      for (const set of ["name = 'x.step'", "tags = '{a}'", "split = 'train'", "queue_priority = -1"]) {
        const r = await attempt(db.owner, as("annotator"), (c) =>
          rows(c, `update public.parts set ${set} where id = $1`, [id]),
        );
        expect(r, set).toMatchObject({ ok: false, code: "FC004" });
      }
    });

    it("cannot move the lease or hand the part to someone else (claim bookkeeping is the database's)", async () => {
      const id = await part("in_progress", f.actors.annotator.id);
      for (const set of [
        "lease_expires_at = now() + interval '30 days'",
        `annotator_id = '${f.coMember.id}'`,
        "claimed_from = 'unannotated'",
        "status_changed_at = now() - interval '1 day'",
      ]) {
        const r = await attempt(db.owner, as("annotator"), (c) =>
          rows(c, `update public.parts set ${set} where id = $1`, [id]),
        );
        expect(r, set).toMatchObject({ ok: false, code: "FC004" });
      }
    });

    it("writes revisions of that part only, and only as themself", async () => {
      const mine = await part("in_progress", f.actors.annotator.id);
      const theirs = await part("in_progress", f.coMember.id);
      const save = `insert into public.annotation_revisions (part_id, revision_no, author_id, document)
                    values ($1, 1, $2, '{}')`;
      expect((await outcome(as("annotator"), save, [mine, f.actors.annotator.id])).verdict).toBe("allowed");
      expect((await outcome(as("annotator"), save, [theirs, f.actors.annotator.id])).verdict).toBe("denied");
      expect((await outcome(as("annotator"), save, [mine, f.coMember.id])).verdict).toBe("denied");
      // once submitted, the part is not theirs to edit any more
      const submitted = await part("in_review", f.actors.annotator.id);
      expect((await outcome(as("annotator"), save, [submitted, f.actors.annotator.id])).verdict).toBe("denied");
    });
  });

  describe("parts: curation", () => {
    it("an ML engineer changes split and tags, but not the name, dataset, status or priority", async () => {
      const id = await part("unannotated");
      const ml = as("ml_engineer");
      for (const set of ["split = 'train'", "tags = '{bracket, sheet-metal}'", "split = 'test', tags = '{}'"]) {
        expect((await outcome(ml, `update public.parts set ${set} where id = $1`, [id])).verdict, set).toBe("allowed");
      }
      for (const set of ["name = 'renamed.step'", "status = 'pre_labeled'", "queue_priority = 5"]) {
        const r = await attempt(db.owner, ml, (c) => rows(c, `update public.parts set ${set} where id = $1`, [id]));
        expect(r, set).toMatchObject({ ok: false, code: "FC004" });
      }
      const move = await attempt(db.owner, ml, async (c) => {
        const { rows: ds } = await c.query<{ id: string }>(
          "insert into public.datasets (workspace_id, name, created_by) values ($1, 'holdout', $2) returning id",
          [f.workspaceId, f.actors.ml_engineer.id],
        );
        return rows(c, "update public.parts set dataset_id = $2 where id = $1", [id, ds[0]?.id]);
      });
      expect(move, "dataset_id").toMatchObject({ ok: false, code: "FC004" });
    });

    it("an engineer renames and tags but does not assign splits; an admin does both", async () => {
      const id = await part("unannotated");
      expect(
        (await outcome(as("engineer"), "update public.parts set name = 'r.step', tags = '{x}' where id = $1", [id]))
          .verdict,
      ).toBe("allowed");
      expect(
        await attempt(db.owner, as("engineer"), (c) =>
          rows(c, "update public.parts set split = 'val' where id = $1", [id]),
        ),
      ).toMatchObject({
        ok: false,
        code: "FC004",
      });
      expect(
        (await outcome(as("admin"), "update public.parts set split = 'val', name = 's.step' where id = $1", [id]))
          .verdict,
      ).toBe("allowed");
    });

    it("nobody changes a part's workspace, blob or creator", async () => {
      const id = await part("unannotated");
      const r = await attempt(db.owner, as("admin"), (c) =>
        rows(c, "update public.parts set blob_sha256 = $2 where id = $1", [id, f.spareBlob]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC005" });
    });
  });

  describe("parts: review", () => {
    it("an engineer approves someone else's annotation", async () => {
      const id = await part("in_review", f.actors.annotator.id);
      expect(
        (await outcome(as("engineer"), "update public.parts set status = 'approved' where id = $1", [id])).verdict,
      ).toBe("allowed");
    });

    it.each(["engineer", "admin"] as const)("nobody approves or rejects their own annotation: %s", async (role) => {
      const id = await part("in_review", f.actors[role].id);
      for (const to of ["approved", "in_progress"]) {
        const r = await attempt(db.owner, as(role), (c) =>
          rows(c, "update public.parts set status = $2 where id = $1", [id, to]),
        );
        expect(r, `${role} -> ${to}`).toMatchObject({ ok: false, code: "FC004" });
      }
    });

    it("a reviewer cannot make a part look annotated by someone else, then approve it", async () => {
      const id = await part("in_review", f.actors.engineer.id);
      const r = await attempt(db.owner, as("engineer"), (c) =>
        rows(c, "update public.parts set annotator_id = $2 where id = $1", [id, f.actors.annotator.id]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC004" });
      const reviewer = await attempt(db.owner, as("admin"), (c) =>
        rows(c, "update public.parts set reviewer_id = $2 where id = $1", [id, f.actors.admin.id]),
      );
      expect(reviewer).toMatchObject({ ok: false, code: "FC004" });
    });

    it("annotators, ML engineers and viewers cannot approve", async () => {
      const id = await part("in_review", f.coMember.id);
      const approve = "update public.parts set status = 'approved' where id = $1";
      for (const who of ["annotator", "ml_engineer", "viewer"] as const) {
        expect((await outcome(as(who), approve, [id])).verdict, who).toBe("denied");
      }
      // the annotator who submitted it still "holds" it: refused by the status rules, not just invisible
      expect(await attempt(db.owner, as(f.coMember), (c) => rows(c, approve, [id]))).toMatchObject({
        ok: false,
        code: "FC004",
      });
    });
  });

  describe("workspace_members: roles and the last admin", () => {
    it("nobody promotes themself", async () => {
      for (const who of ["engineer", "annotator", "ml_engineer", "viewer"] as const) {
        const r = await outcome(
          as(who),
          "update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2",
          [f.workspaceId, f.actors[who].id],
        );
        expect(r.verdict, who).toBe("denied");
      }
    });

    it("a member may leave (delete their own membership)", async () => {
      for (const who of ["engineer", "annotator", "ml_engineer", "viewer"] as const) {
        const r = await outcome(
          as(who),
          "delete from public.workspace_members where workspace_id = $1 and user_id = $2",
          [f.workspaceId, f.actors[who].id],
        );
        expect(r.verdict, who).toBe("allowed");
      }
    });

    it("the last admin can neither leave, be removed nor be demoted", async () => {
      const demote = "update public.workspace_members set role = 'engineer' where workspace_id = $1 and user_id = $2";
      const remove = "delete from public.workspace_members where workspace_id = $1 and user_id = $2";
      const args = [f.workspaceId, f.actors.admin.id];
      for (const sql of [demote, remove]) {
        for (const who of [as("admin"), { role: "owner" } as As, { role: "service_role" } as As]) {
          const r = await attempt(db.owner, who, (c) => rows(c, sql, args));
          expect(r, `${who.role}: ${sql}`).toMatchObject({ ok: false, code: "FC002" });
        }
      }
    });

    it("with a second admin, an admin may step down", async () => {
      const r = await attempt(db.owner, as("admin"), async (c) => {
        await c.query("update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2", [
          f.workspaceId,
          f.actors.engineer.id,
        ]);
        return rows(c, "update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2", [
          f.workspaceId,
          f.actors.admin.id,
        ]);
      });
      expect(r).toEqual({ ok: true, value: 1 });
    });

    it("two admins demoting each other at the same time leave one admin", async () => {
      const w = await createWorkspaceWithRoles(db.owner, "race");
      await db.owner.query(
        "update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2",
        [w.workspaceId, w.users.engineer.id],
      );
      const pool = new pg.Pool({ connectionString: db.url, max: 2 });
      const [a, b] = [await pool.connect(), await pool.connect()];
      try {
        const demote = async (c: pg.PoolClient, me: TestUser, other: TestUser) => {
          await c.query("begin");
          await c.query("set local role authenticated");
          await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(me.claims)]);
          return c.query(
            "update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2",
            [w.workspaceId, other.id],
          );
        };
        const bPid = (await b.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid;
        await demote(a, w.users.admin, w.users.engineer); // a demotes b's user and keeps its transaction open
        let settled = false;
        const second = demote(b, w.users.engineer, w.users.admin).then(
          () => "demoted",
          (e: { code?: string }) => e.code,
        );
        void second.finally(() => {
          settled = true;
        });
        // b's demotion is under way before a commits: either it already went through (the race is
        // lost) or it waits for a's lock
        for (let waited = 0; !settled && waited < 5000; waited += 20) {
          const { rows: act } = await db.owner.query<{ w: string | null }>(
            "select wait_event_type as w from pg_stat_activity where pid = $1",
            [bPid],
          );
          if (act[0]?.w === "Lock") break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await a.query("commit");
        expect(await second).toBe("FC002");
        await b.query("rollback");
      } finally {
        a.release();
        b.release();
        await pool.end();
      }
      const admins = await one<{ n: number }>(
        "select count(*)::int as n from public.workspace_members where workspace_id = $1 and role = 'admin'",
        [w.workspaceId],
      );
      expect(admins.n).toBe(1);
    });

    it("a membership cannot be moved to another workspace (that would remove an admin unchecked)", async () => {
      const mine = await createWorkspaceWithRoles(db.owner, "move");
      // the admin of W is also admin of `mine`
      await db.owner.query(
        "insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')",
        [mine.workspaceId, f.actors.admin.id],
      );
      const r = await attempt(db.owner, as("admin"), (c) =>
        rows(c, "update public.workspace_members set workspace_id = $3 where workspace_id = $1 and user_id = $2", [
          f.workspaceId,
          f.actors.admin.id,
          mine.workspaceId,
        ]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC005" });
    });

    it("every role change is in the audit log", async () => {
      const r = await attempt(db.owner, as("admin"), async (c) => {
        await c.query(
          "update public.workspace_members set role = 'engineer' where workspace_id = $1 and user_id = $2",
          [f.workspaceId, f.coMember.id],
        );
        const { rows: ev } = await c.query(
          `select actor_id, action, data from public.audit_events
           where workspace_id = $1 and action = 'member.updated' and target_id = $2`,
          [f.workspaceId, f.coMember.id],
        );
        return ev;
      });
      expect(r).toEqual({
        ok: true,
        value: [
          {
            actor_id: f.actors.admin.id,
            action: "member.updated",
            data: { changed: { role: { from: "annotator", to: "engineer" } } },
          },
        ],
      });
    });
  });

  describe("append-only tables", () => {
    const asOwner: As = { role: "owner" };
    const asService: As = { role: "service_role" };

    it.each([
      ["update", "update public.audit_events set action = 'x.y' where id = $1"],
      ["delete", "delete from public.audit_events where id = $1"],
    ])("audit_events: %s is refused even for the owner and the service role", async (_op, sql) => {
      for (const who of [asOwner, asService]) {
        expect(await attempt(db.owner, who, (c) => rows(c, sql, [f.auditEventId])), who.role).toMatchObject({
          ok: false,
          code: "FC003",
        });
      }
    });

    it("audit_events cannot be truncated", async () => {
      expect(await attempt(db.owner, asOwner, (c) => c.query("truncate public.audit_events"))).toMatchObject({
        ok: false,
        code: "FC003",
      });
    });

    it("audit_events cannot be written directly by a user, only through record_audit_event()", async () => {
      const r = await attempt(db.owner, as("admin"), async (c) => {
        await c.query("select public.record_audit_event($1, 'upload.skipped', 'datasets', $2, '{\"present\": 1}')", [
          f.workspaceId,
          f.datasetId,
        ]);
        const { rows: ev } = await c.query(
          "select actor_id, actor_kind from public.audit_events where action = 'upload.skipped'",
        );
        return ev;
      });
      expect(r).toEqual({ ok: true, value: [{ actor_id: f.actors.admin.id, actor_kind: "user" }] });
      // ... and not into a workspace they are not in
      const outsider = await attempt(db.owner, as("outsider"), (c) =>
        c.query("select public.record_audit_event($1, 'upload.skipped', 'datasets', $2)", [f.workspaceId, f.datasetId]),
      );
      expect(outsider).toMatchObject({ ok: false, code: "42501" });
    });

    it.each([
      ["an event only the database writes", "part.status_changed", "parts", "heldPartId", {}],
      ["a status change that did not happen", "part.submitted", "parts", "heldPartId", {}],
      ["an upload event about a part's history", "upload.completed", "datasets", "datasetId", { part_id: "x" }],
      ["an upload event about another workspace's dataset", "upload.completed", "datasets", "elsewhereDatasetId", {}],
      ["a sign-in inside a workspace", "auth.signed_in", "parts", "heldPartId", {}],
    ] as const)("record_audit_event refuses %s (no forged history)", async (_label, action, table, target, data) => {
      const targets: Record<string, string> = {
        heldPartId: f.heldPartId,
        datasetId: f.datasetId,
        elsewhereDatasetId: (
          await one<{ id: string }>("select id from public.datasets where workspace_id = $1", [f.elsewhereWorkspaceId])
        ).id,
      };
      const r = await attempt(db.owner, as("admin"), (c) =>
        c.query("select public.record_audit_event($1, $2, $3, $4, $5)", [
          f.workspaceId,
          action,
          table,
          targets[target],
          JSON.stringify(data),
        ]),
      );
      expect(r).toMatchObject({ ok: false, code: "42501" });
    });

    it.each([
      ["update", "update public.annotation_revisions set document = '{}' where id = $1"],
      ["delete", "delete from public.annotation_revisions where id = $1"],
    ])("annotation_revisions: %s is refused even for the owner and the service role", async (_op, sql) => {
      for (const who of [asOwner, asService]) {
        expect(await attempt(db.owner, who, (c) => rows(c, sql, [f.revisionId])), who.role).toMatchObject({
          ok: false,
          code: "FC003",
        });
      }
    });

    it("annotation_revisions go with their part when the part is discarded", async () => {
      const count = "select count(*)::int as n from public.annotation_revisions where part_id = $1";
      const r = await attempt(db.owner, as("engineer"), async (c) => {
        const before = (await c.query(count, [f.heldPartId])).rows[0];
        await c.query("delete from public.parts where id = $1", [f.heldPartId]);
        await c.query("reset role"); // count as the owner: gone, not hidden
        return { before, after: (await c.query(count, [f.heldPartId])).rows[0] };
      });
      expect(r).toEqual({ ok: true, value: { before: { n: 1 }, after: { n: 0 } } });
    });
  });

  describe("part_presence", () => {
    it("every member records, renews and removes their own presence; the outsider none", async () => {
      for (const actor of ACTORS) {
        const me = f.actors[actor];
        const r = await attempt(db.owner, as(actor), async (c) => [
          await rows(c, "insert into public.part_presence (part_id, user_id, connection_id) values ($1, $2, 'own')", [
            f.queuedPartId,
            me.id,
          ]),
          await rows(
            c,
            "update public.part_presence set seen_at = now() where user_id = $1 and connection_id = 'own'",
            [me.id],
          ),
          await rows(c, "delete from public.part_presence where user_id = $1 and connection_id = 'own'", [me.id]),
        ]);
        if (actor === "outsider") expect(r, actor).toMatchObject({ ok: false, code: "42501" });
        else expect(r, actor).toEqual({ ok: true, value: [1, 1, 1] });
      }
    });

    it("nobody records presence in someone else's name", async () => {
      const r = await outcome(
        as("admin"),
        "insert into public.part_presence (part_id, user_id, connection_id) values ($1, $2, 'forged')",
        [f.queuedPartId, f.coMember.id],
      );
      expect(r.verdict).toBe("denied");
    });
  });

  describe("profiles", () => {
    it("every user changes their own display name (outsider included), nobody else's", async () => {
      for (const actor of ACTORS) {
        const me = f.actors[actor];
        const r = await outcome(as(actor), "update public.profiles set display_name = 'Me' where user_id = $1", [
          me.id,
        ]);
        expect(r.verdict, actor).toBe("allowed");
      }
    });

    it("nobody changes the email co-members see (it follows the account)", async () => {
      const me = f.actors.viewer;
      const r = await outcome(
        as("viewer"),
        "update public.profiles set email = 'ceo@example.test' where user_id = $1",
        [me.id],
      );
      expect(r.verdict).toBe("denied");
    });
  });

  describe("blobs", () => {
    it("users record no blob at all, verified or not: only the server vouches for bytes", async () => {
      const h = hex64();
      const insert = "insert into public.blobs (sha256, size, storage_key, verified_at) values ($1, 10, $2, $3)";
      for (const actor of ["admin", "engineer", "outsider"] as const) {
        expect((await outcome(as(actor), insert, [h, blobKey(h), null])).verdict).toBe("denied");
        expect((await outcome(as(actor), insert, [h, blobKey(h), new Date()])).verdict).toBe("denied");
      }
    });

    it("a part refers only to content its workspace holds: knowing a stored hash is not enough", async () => {
      const insert =
        "insert into public.parts (workspace_id, dataset_id, blob_sha256, name, created_by) values ($1, $2, $3, 'x.step', $4)";
      // stored (by whoever) but never proven by W: refused even for W's admin
      expect(
        (await outcome(as("admin"), insert, [f.workspaceId, f.datasetId, f.unheldBlob, f.actors.admin.id])).verdict,
      ).toBe("denied");
      // the outsider admins another workspace: W's proof does not count for it
      const elsewhere = await one<{ id: string }>("select id from public.datasets where workspace_id = $1", [
        f.elsewhereWorkspaceId,
      ]);
      expect(
        (
          await outcome(as("outsider"), insert, [
            f.elsewhereWorkspaceId,
            elsewhere.id,
            f.spareBlob,
            f.actors.outsider.id,
          ])
        ).verdict,
      ).toBe("denied");
    });
  });

  describe("jobs", () => {
    it("a job a user starts is queued; its outcome is the worker's to write", async () => {
      const insert = `insert into public.jobs (workspace_id, kind, created_by, status, result) values ($1, 'export', $2, $3, $4)`;
      const me = f.actors.engineer;
      expect((await outcome(as("engineer"), insert, [f.workspaceId, me.id, "queued", null])).verdict).toBe("allowed");
      expect((await outcome(as("engineer"), insert, [f.workspaceId, me.id, "completed", null])).verdict).toBe("denied");
      expect((await outcome(as("engineer"), insert, [f.workspaceId, me.id, "queued", { rows: 1 }])).verdict).toBe(
        "denied",
      );
    });

    it("a job cannot be about a part of another workspace", async () => {
      const elsewhere = await one<{ id: string }>(
        "select p.id from public.parts p where p.workspace_id <> $1 limit 1",
        [f.workspaceId],
      );
      const r = await outcome(
        as("engineer"),
        "insert into public.jobs (workspace_id, kind, part_id, created_by) values ($1, 'tessellate', $2, $3)",
        [f.workspaceId, elsewhere.id, f.actors.engineer.id],
      );
      expect(r.verdict).toBe("denied");
    });

    it("users only cancel jobs, and only while queued or running", async () => {
      const r = await attempt(db.owner, as("engineer"), (c) =>
        rows(c, "update public.jobs set status = 'completed' where id = $1", [f.jobId]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC004" });
    });
  });

  describe("api_keys", () => {
    const insertKey = `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes)
                       values ($1, $2, 'k', 'ABCDEFGH', $3, '{read}')`;
    it("anyone creates a personal key for themselves, never for someone else", async () => {
      const me = f.actors.annotator;
      expect((await outcome(as("annotator"), insertKey, [null, me.id, hex64()])).verdict).toBe("allowed");
      expect((await outcome(as("annotator"), insertKey, [null, f.coMember.id, hex64()])).verdict).toBe("denied");
      expect((await outcome(as("admin"), insertKey, [f.workspaceId, f.coMember.id, hex64()])).verdict).toBe("denied");
    });

    it("the owner sees and revokes their own key; a revoked key stays revoked", async () => {
      const co: As = { role: "authenticated", claims: f.coMember.claims };
      expect((await outcome(co, "select 1 from public.api_keys where id = $1", [f.apiKeyId])).verdict).toBe("allowed");
      const r = await attempt(db.owner, co, async (c) => {
        await c.query("update public.api_keys set revoked_at = now() where id = $1", [f.apiKeyId]);
        return rows(c, "update public.api_keys set revoked_at = null where id = $1", [f.apiKeyId]);
      });
      expect(r).toMatchObject({ ok: false, code: "FC005" });
    });

    it("a key's scopes, owner and hash cannot be changed, only revoked", async () => {
      const r = await attempt(db.owner, as("admin"), (c) =>
        rows(c, "update public.api_keys set scopes = '{admin}' where id = $1", [f.apiKeyId]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC005" });
    });
  });

  describe("workspaces", () => {
    it("renaming and deleting a workspace are in the audit log", async () => {
      const r = await attempt(db.owner, as("admin"), async (c) => {
        await c.query("update public.workspaces set name = 'Renamed' where id = $1", [f.workspaceId]);
        await c.query("delete from public.workspaces where id = $1", [f.workspaceId]);
        await c.query("reset role");
        const { rows: ev } = await c.query(
          `select action, actor_id from public.audit_events
           where workspace_id = $1 and action like 'workspace.%' order by id`,
          [f.workspaceId],
        );
        return ev;
      });
      expect(r).toEqual({
        ok: true,
        value: [
          { action: "workspace.updated", actor_id: f.actors.admin.id },
          { action: "workspace.deleted", actor_id: f.actors.admin.id },
        ],
      });
    });
  });

  describe("part_reviews", () => {
    /** The part's status changed as the owner (in the same transaction), then `actor` records the decision. */
    const decide = async (actor: Actor, partId: string, revisionId: string, decision = "approved") =>
      judge(
        await attempt(db.owner, as(actor), async (c) => {
          await c.query("reset role");
          await c.query("update public.parts set status = $2 where id = $1", [
            partId,
            decision === "approved" ? "approved" : "in_progress",
          ]);
          await c.query("set local role authenticated");
          return rows(
            c,
            "insert into public.part_reviews (part_id, revision_id, decision, reviewer_id) values ($1, $2, $3, $4)",
            [partId, revisionId, decision, f.actors[actor].id],
          );
        }),
      );

    it("only engineers and admins record a decision, even once the status has changed", async () => {
      for (const actor of ACTORS) {
        const { verdict, why } = await decide(actor, f.reviewPartId, f.reviewRevisionId);
        expect(verdict, `${actor} (${why})`).toBe(actor === "admin" || actor === "engineer" ? "allowed" : "denied");
      }
    });

    it("nobody records a decision on labels they saved themselves", async () => {
      const id = await part("in_review", f.coMember.id);
      await labelCompletely(db.owner, id, { authorId: f.actors.engineer.id });
      const revision = await one<{ id: string }>("select id from public.annotation_revisions where part_id = $1", [id]);
      expect((await decide("engineer", id, revision.id)).verdict).toBe("denied");
      expect((await decide("admin", id, revision.id)).verdict).toBe("allowed");
    });

    it("a decision is refused without the status change it makes (FC004)", async () => {
      const insert = (decision: string) => (c: pg.PoolClient) =>
        rows(
          c,
          "insert into public.part_reviews (part_id, revision_id, decision, reviewer_id) values ($1, $2, $3, $4)",
          [f.reviewPartId, f.reviewRevisionId, decision, f.actors.engineer.id],
        );
      expect(await attempt(db.owner, as("engineer"), insert("approved"))).toMatchObject({ ok: false, code: "FC004" });
      // approving the part, then recording a rejection
      const r = await attempt(db.owner, as("engineer"), async (c) => {
        await c.query("update public.parts set status = 'approved' where id = $1", [f.reviewPartId]);
        return insert("rejected")(c);
      });
      expect(r).toMatchObject({ ok: false, code: "FC004" });
    });

    it.each([
      ["update", "update public.part_reviews set decision = 'rejected' where id = $1"],
      ["delete", "delete from public.part_reviews where id = $1"],
    ])("%s is refused even for the owner and the service role", async (_op, sql) => {
      for (const who of [{ role: "owner" }, { role: "service_role" }] as As[]) {
        expect(await attempt(db.owner, who, (c) => rows(c, sql, [f.reviewId])), who.role).toMatchObject({
          ok: false,
          code: "FC003",
        });
      }
    });
  });

  describe("comments", () => {
    it("a comment is not edited, only resolved and reopened (FC005), even by its author", async () => {
      const r = await attempt(db.owner, as(f.coMember), (c) =>
        rows(c, "update public.comments set body = 'Never mind' where id = $1", [f.commentId]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC005" });
    });

    it("the outsider cannot comment on a part of W by naming their own workspace", async () => {
      const r = await outcome(
        as("outsider"),
        "insert into public.comments (workspace_id, part_id, body, author_id, author_name) values ($1, $2, 'Hi', $3, '-')",
        [f.elsewhereWorkspaceId, f.queuedPartId, f.actors.outsider.id],
      );
      expect(r.verdict, r.why).toBe("denied");
    });
  });

  describe("notifications", () => {
    it("nobody sees or marks read a co-member's notification, whatever their role", async () => {
      for (const actor of ACTORS) {
        for (const sql of [
          "select 1 from public.notifications where id = $1",
          "update public.notifications set read_at = now() where id = $1",
        ]) {
          const r = await outcome(as(actor), sql, [f.coMemberNotificationId]);
          expect(r.verdict, `${actor}: ${sql}`).toBe("denied");
        }
      }
      const co = await outcome(as(f.coMember), "select 1 from public.notifications where id = $1", [
        f.coMemberNotificationId,
      ]);
      expect(co.verdict).toBe("allowed");
    });

    it("a notification is only marked read or unread (FC005)", async () => {
      const r = await attempt(db.owner, as(f.coMember), (c) =>
        rows(c, "update public.notifications set summary = 'forged' where id = $1", [f.coMemberNotificationId]),
      );
      expect(r).toMatchObject({ ok: false, code: "FC005" });
    });
  });
});
