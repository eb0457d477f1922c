import { type ApiKeyScope, CAPABILITIES, type Capability, type MemberRole, SCOPE_FOR } from "@facet/core";

/**
 * Who may call each route of the HTTP API. authorization.spec.ts holds the route files to this table
 * (every handler listed, nothing listed that is gone) and calls every entry as every kind of caller.
 *
 * - `anyone`: no credentials needed (the route checks what it needs itself: a token in the path, a
 *   signed URL, a password);
 * - `signed-in`: any account; `keys` says which API keys may call it: any key, keys with a scope
 *   (and, with `unbound`, only keys bound to no workspace), or none at all (a person's act);
 * - `members`: members of the route's workspace with one of these roles, API keys bound to it (or to
 *   nothing) with `scope`.
 */
export type Who =
  | { kind: "anyone" }
  | { kind: "signed-in"; keys: "any" | "none" | { scope: ApiKeyScope; unbound?: true } }
  | { kind: "members"; roles: readonly MemberRole[]; scope: ApiKeyScope };

const anyone: Who = { kind: "anyone" };
const ALL_ROLES = ["admin", "engineer", "annotator", "ml_engineer", "viewer"] as const;
/** Read access: every member, keys with `read`. */
const members: Who = { kind: "members", roles: ALL_ROLES, scope: "read" };
/** A capability: the roles that have it, keys with its scope (the same table the API checks against). */
const can = (c: Capability): Who => ({ kind: "members", roles: CAPABILITIES[c], scope: SCOPE_FOR[c] });

/** The fixture a request is built from: ids in workspace W, made once (authorization.spec.ts). */
export interface Fixture {
  w: string;
  datasetName: string;
  queuedPartId: string;
  heldPartId: string;
  commentId: string;
  shareLinkId: string;
  spareUserId: string;
  /** A snapshot of W's dataset, and an export of it (its job's id too). */
  snapshotName: string;
  exportId: string;
  jobId: string;
  /** Fresh targets, one per call (for destructive calls that must find their target each time). */
  fresh: {
    part(status: "failed" | "uploaded" | "unannotated"): Promise<string>;
    /** In progress, held by this user. */
    heldBy(userId: string): Promise<string>;
    /** In review, submitted by someone else than `reviewerId`, with revision 1. */
    inReview(reviewerId: string): Promise<string>;
    invitation(): Promise<string>;
    shareLink(partId: string): Promise<string>;
    member(): Promise<string>;
  };
}

export interface Call {
  path: string;
  body?: unknown;
  /** Server-sent events: read the status and headers, then hang up. */
  stream?: boolean;
}

export interface Rule {
  who: Who;
  /**
   * The request, for workspace `ws` (W, or another workspace's slug with W's ids: the cross-workspace
   * probe) made by `userId`.
   */
  call(f: Fixture, ws: string, userId: string): Call | Promise<Call>;
  /** Takes ids of W's rows (a part, a member, …): called through another workspace's path it must act on nothing. */
  rowsOfW?: true;
  /** Ends the caller's sessions: each session caller calls it with a session of its own made for the call. */
  endsSessions?: true;
}

const part = (ws: string, id: string, rest = "") => `/api/workspaces/${ws}/parts/${id}${rest}`;
const dataset = (ws: string, f: Fixture, rest = "") =>
  `/api/workspaces/${ws}/datasets/${encodeURIComponent(f.datasetName)}${rest}`;
const STEP = { name: "authz.step", size: 1234, sha256: "ab".repeat(32) };
const snapshot = (ws: string, f: Fixture, rest = "") =>
  `/api/workspaces/${ws}/snapshots/${encodeURIComponent(f.snapshotName)}${rest}`;
const ofDataset = (f: Fixture) => `dataset=${encodeURIComponent(f.datasetName)}`;

// biome-ignore format: one line per route reads as a table
export const AUTHORIZATION: Record<string, Rule> = {
  "GET /api/health":                        { who: anyone, call: () => ({ path: "/api/health" }) },
  // admins of some workspace (their own workspaces' figures) or the operator's metrics token (not probed
  // here: e2e/metrics.spec.ts); `?workspace=` narrows to one workspace, whose admin the caller must be
  "GET /api/metrics":                       { who: can("members.manage"), call: (_f, ws) => ({ path: `/api/metrics?workspace=${ws}` }) },
  "GET /api/setup":                         { who: anyone, call: () => ({ path: "/api/setup" }) },
  "POST /api/setup":                        { who: anyone, call: () => ({ path: "/api/setup", body: { email: "late@example.test", password: "a late admin's long password", workspaceName: "Late" } }) },
  "POST /api/auth/sign-in":                 { who: anyone, call: () => ({ path: "/api/auth/sign-in", body: { email: "nobody@example.test", password: "not a password" } }) },
  "POST /api/auth/token":                   { who: anyone, call: () => ({ path: "/api/auth/token", body: { email: "nobody@example.test", password: "not a password" } }) },
  "POST /api/auth/sign-out":                { who: anyone, call: () => ({ path: "/api/auth/sign-out" }) },
  "POST /api/auth/sign-out-everywhere":     { who: { kind: "signed-in", keys: "none" }, endsSessions: true, call: () => ({ path: "/api/auth/sign-out-everywhere" }) },
  "GET /api/auth/me":                       { who: { kind: "signed-in", keys: "any" }, call: () => ({ path: "/api/auth/me" }) },
  "GET /api/api-keys":                      { who: { kind: "signed-in", keys: "any" }, call: () => ({ path: "/api/api-keys" }) },
  "POST /api/api-keys":                     { who: { kind: "signed-in", keys: { scope: "admin" } }, call: () => ({ path: "/api/api-keys", body: { name: "probe", scopes: ["read"] } }) },
  "DELETE /api/api-keys/[id]":              { who: { kind: "signed-in", keys: { scope: "admin" } }, call: () => ({ path: "/api/api-keys/00000000-0000-4000-8000-000000000000" }) },
  "GET /api/invitations/[token]":           { who: anyone, call: () => ({ path: `/api/invitations/${"x".repeat(43)}` }) },
  "POST /api/invitations/[token]/accept":   { who: anyone, call: () => ({ path: `/api/invitations/${"x".repeat(43)}/accept`, body: { email: "new@example.test", password: "a long and unusual passphrase" } }) },
  "GET /api/share/[token]":                 { who: anyone, call: () => ({ path: `/api/share/${"x".repeat(43)}` }) },
  "GET /api/share/[token]/comments":        { who: anyone, call: () => ({ path: `/api/share/${"x".repeat(43)}/comments` }) },
  "POST /api/share/[token]/comments":       { who: anyone, call: () => ({ path: `/api/share/${"x".repeat(43)}/comments`, body: { body: "hi", authorName: "Guest" } }) },
  "GET /api/blobs/[...key]":                { who: anyone, call: () => ({ path: `/api/blobs/blobs/sha256/ab/ab/${"ab".repeat(32)}?exp=1&sig=x` }) },
  "PUT /api/blobs/[...key]":                { who: anyone, call: () => ({ path: `/api/blobs/blobs/sha256/ab/ab/${"ab".repeat(32)}?exp=1&sig=x`, body: "x" }) },
  // a path under /api that no route serves, /api itself included (the optional catch-all): a JSON 404
  "GET /api/[[...path]]":                     { who: anyone, call: () => ({ path: "/api" }) },
  "POST /api/[[...path]]":                    { who: anyone, call: () => ({ path: "/api/no/such/route" }) },
  "PUT /api/[[...path]]":                     { who: anyone, call: () => ({ path: "/api/no/such/route" }) },
  "PATCH /api/[[...path]]":                   { who: anyone, call: () => ({ path: "/api/no/such/route" }) },
  "DELETE /api/[[...path]]":                  { who: anyone, call: () => ({ path: "/api/no/such/route" }) },

  "GET /api/workspaces":                    { who: { kind: "signed-in", keys: "any" }, call: () => ({ path: "/api/workspaces" }) },
  "POST /api/workspaces":                   { who: { kind: "signed-in", keys: { scope: "admin", unbound: true } }, call: () => ({ path: "/api/workspaces", body: { name: "Probe shop" } }) },

  "GET /api/workspaces/[ws]/members":       { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/members` }) },
  "PATCH /api/workspaces/[ws]/members/[userId]":  { who: can("members.manage"), rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/members/${f.spareUserId}`, body: { role: "viewer" } }) },
  "DELETE /api/workspaces/[ws]/members/[userId]": { who: can("members.manage"), rowsOfW: true, call: async (f, ws) => ({ path: `/api/workspaces/${ws}/members/${await f.fresh.member()}` }) },
  "POST /api/workspaces/[ws]/members/[userId]/deactivation":   { who: can("members.manage"), rowsOfW: true, call: async (f, ws) => ({ path: `/api/workspaces/${ws}/members/${await f.fresh.member()}/deactivation` }) },
  "DELETE /api/workspaces/[ws]/members/[userId]/deactivation": { who: can("members.manage"), rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/members/${f.spareUserId}/deactivation` }) },
  "POST /api/workspaces/[ws]/members/[userId]/erasure":        { who: can("members.manage"), rowsOfW: true, call: async (f, ws) => ({ path: `/api/workspaces/${ws}/members/${await f.fresh.member()}/erasure`, body: { confirm: true } }) },
  "POST /api/workspaces/[ws]/members/[userId]/transfer":       { who: can("members.manage"), rowsOfW: true, call: async (f, ws) => ({ path: `/api/workspaces/${ws}/members/${await f.fresh.member()}/transfer`, body: { to: f.spareUserId } }) },
  "GET /api/workspaces/[ws]/invitations":   { who: can("members.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/invitations` }) },
  "POST /api/workspaces/[ws]/invitations":  { who: can("members.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/invitations`, body: { role: "viewer" } }) },
  "DELETE /api/workspaces/[ws]/invitations/[id]": { who: can("members.manage"), rowsOfW: true, call: async (f, ws) => ({ path: `/api/workspaces/${ws}/invitations/${await f.fresh.invitation()}` }) },
  "GET /api/workspaces/[ws]/audit":         { who: can("audit.read"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/audit?action=part.&format=csv` }) },
  "GET /api/workspaces/[ws]/notifications": { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/notifications` }) },
  "POST /api/workspaces/[ws]/notifications/read": { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/notifications/read`, body: {} }) },
  "GET /api/workspaces/[ws]/events":        { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/events`, stream: true }) },
  "GET /api/workspaces/[ws]/prelabel-acceptance": { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/prelabel-acceptance` }) },
  "GET /api/workspaces/[ws]/analytics":     { who: can("audit.read"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/analytics?format=csv` }) },
  "GET /api/workspaces/[ws]/review-queue":  { who: can("parts.review"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/review-queue` }) },
  "POST /api/workspaces/[ws]/queue/claim":  { who: can("parts.claim"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/queue/claim`, body: {} }) },

  "GET /api/workspaces/[ws]/datasets":      { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/datasets` }) },
  "POST /api/workspaces/[ws]/datasets":     { who: can("datasets.create"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/datasets`, body: { name: `probe ${Math.random().toString(36).slice(2)}` } }) },
  "GET /api/workspaces/[ws]/datasets/[dataset]":   { who: members, rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f) }) },
  "PATCH /api/workspaces/[ws]/datasets/[dataset]": { who: can("datasets.configure"), rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f), body: { queueOrder: "oldest" } }) },
  "GET /api/workspaces/[ws]/datasets/[dataset]/parts":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/parts") }) },
  "GET /api/workspaces/[ws]/datasets/[dataset]/status": { who: members, rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/status") }) },
  "POST /api/workspaces/[ws]/datasets/[dataset]/reprocess": { who: can("parts.upload"), rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/reprocess"), body: {} }) },
  "POST /api/workspaces/[ws]/datasets/[dataset]/uploads":   { who: can("parts.upload"), rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/uploads"), body: { files: [STEP] } }) },
  "POST /api/workspaces/[ws]/datasets/[dataset]/uploads/complete": { who: can("parts.upload"), rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/uploads/complete"), body: STEP }) },
  // learned pre-labels (issue 20): the models of a dataset, "train now" (those who run its queue; keys with curate), a model's file, predictions
  "GET /api/workspaces/[ws]/datasets/[dataset]/models":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/models") }) },
  "POST /api/workspaces/[ws]/datasets/[dataset]/models": { who: { kind: "members", roles: CAPABILITIES["datasets.configure"], scope: "curate" }, rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/models") }) },
  "GET /api/workspaces/[ws]/models/[model]/file":        { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/models/00000000-0000-4000-8000-000000000000/file` }) },
  "POST /api/workspaces/[ws]/predict":                   { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/predict`, body: { partId: f.queuedPartId } }) },

  "GET /api/workspaces/[ws]/parts/[partId]":            { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId) }) },
  "DELETE /api/workspaces/[ws]/parts/[partId]":         { who: can("parts.upload"), rowsOfW: true, call: async (f, ws) => ({ path: part(ws, await f.fresh.part("unannotated")) }) },
  "GET /api/workspaces/[ws]/parts/[partId]/events":     { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/events"), stream: true }) },
  "GET /api/workspaces/[ws]/parts/[partId]/history":    { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/history") }) },
  "GET /api/workspaces/[ws]/parts/[partId]/revisions":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.heldPartId, "/revisions") }) },
  "POST /api/workspaces/[ws]/parts/[partId]/revisions": { who: can("parts.claim"), rowsOfW: true, call: async (f, ws, me) => ({ path: part(ws, await f.fresh.heldBy(me), "/revisions"), body: { document: { schemaVersion: 1, faceSignature: "probe", faceCount: 1, labels: ["hole"], instances: [] } } }) },
  "POST /api/workspaces/[ws]/parts/[partId]/lease":     { who: can("parts.claim"), rowsOfW: true, call: async (f, ws, me) => ({ path: part(ws, await f.fresh.heldBy(me), "/lease"), body: { leaseSeconds: 60 } }) },
  "GET /api/workspaces/[ws]/parts/[partId]/active-time":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/active-time") }) },
  "POST /api/workspaces/[ws]/parts/[partId]/active-time": { who: can("parts.claim"), rowsOfW: true, call: async (f, ws, me) => ({ path: part(ws, await f.fresh.heldBy(me), "/active-time"), body: { session: "6f1c3f9e-2b7a-4c1e-9d3a-5e8b7c6d4a21", activeMs: 1000 } }) },
  "POST /api/workspaces/[ws]/parts/[partId]/release":   { who: can("parts.claim"), rowsOfW: true, call: async (f, ws, me) => ({ path: part(ws, await f.fresh.heldBy(me), "/release") }) },
  "POST /api/workspaces/[ws]/parts/[partId]/submit":    { who: can("parts.claim"), rowsOfW: true, call: async (f, ws, me) => ({ path: part(ws, await f.fresh.heldBy(me), "/submit"), body: { revisionNo: 1 } }) },
  "POST /api/workspaces/[ws]/parts/[partId]/review":    { who: can("parts.review"), rowsOfW: true, call: async (f, ws, me) => ({ path: part(ws, await f.fresh.inReview(me), "/review"), body: { decision: "approved", revisionNo: 1 } }) },
  "POST /api/workspaces/[ws]/parts/[partId]/retry":     { who: can("parts.upload"), rowsOfW: true, call: async (f, ws) => ({ path: part(ws, await f.fresh.part("failed"), "/retry") }) },
  "POST /api/workspaces/[ws]/parts/[partId]/prelabel":  { who: can("parts.upload"), rowsOfW: true, call: async (f, ws) => ({ path: part(ws, await f.fresh.part("unannotated"), "/prelabel") }) },
  "GET /api/workspaces/[ws]/parts/[partId]/comments":   { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/comments") }) },
  "POST /api/workspaces/[ws]/parts/[partId]/comments":  { who: can("parts.comment"), rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/comments"), body: { body: "a probe's comment" } }) },
  "PATCH /api/workspaces/[ws]/parts/[partId]/comments/[commentId]": { who: can("parts.comment"), rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, `/comments/${f.commentId}`), body: { resolved: true } }) },
  "GET /api/workspaces/[ws]/parts/[partId]/share-links":  { who: can("parts.share"), rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/share-links") }) },
  "POST /api/workspaces/[ws]/parts/[partId]/share-links": { who: can("parts.share"), rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/share-links"), body: { access: "read", expiresInDays: 1 } }) },
  "DELETE /api/workspaces/[ws]/parts/[partId]/share-links/[linkId]": { who: can("parts.share"), rowsOfW: true, call: async (f, ws) => ({ path: part(ws, f.queuedPartId, `/share-links/${await f.fresh.shareLink(f.queuedPartId)}`) }) },
  "GET /api/workspaces/[ws]/parts/[partId]/thumbnail":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/thumbnail") }) },
  "GET /api/workspaces/[ws]/parts/[partId]/similar":    { who: members, rowsOfW: true, call: (f, ws) => ({ path: part(ws, f.queuedPartId, "/similar") }) },

  "GET /api/workspaces/[ws]/catalog":                   { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/catalog?${ofDataset(f)}&status=pre_labeled` }) },
  "GET /api/workspaces/[ws]/catalog/options":           { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/catalog/options?${ofDataset(f)}` }) },
  "GET /api/workspaces/[ws]/label-schemas":             { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas` }) },
  "POST /api/workspaces/[ws]/label-schemas":            { who: can("schemas.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas`, body: { name: `probe ${Math.random().toString(36).slice(2)}`, taxonomy: { featureTypes: [{ key: "stock", name: "Stock", colour: "#888888", hotkey: "1" }] } } }) },
  "POST /api/workspaces/[ws]/label-schemas/import":     { who: can("schemas.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas/import`, body: { file: { format: "facet.label-schema", formatVersion: 1, name: `probe ${Math.random().toString(36).slice(2)}`, taxonomy: { featureTypes: [{ key: "stock", name: "Stock", colour: "#888888", hotkey: "1" }] } } } }) },
  "GET /api/workspaces/[ws]/label-schemas/[id]":        { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas/00000000-0000-4000-8000-000000000000?download=1` }) },
  "POST /api/workspaces/[ws]/label-schemas/[id]/versions": { who: can("schemas.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas/00000000-0000-4000-8000-000000000000/versions`, body: { taxonomy: { featureTypes: [{ key: "stock", name: "Stock", colour: "#888888", hotkey: "1" }] }, mapping: {} } }) },
  "GET /api/workspaces/[ws]/label-schemas/[id]/apply":  { who: can("schemas.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas/00000000-0000-4000-8000-000000000000/apply` }) },
  "POST /api/workspaces/[ws]/label-schemas/[id]/apply": { who: can("schemas.manage"), call: (_f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas/00000000-0000-4000-8000-000000000000/apply`, body: { limit: 10 } }) },
  "PUT /api/workspaces/[ws]/label-schemas/[id]/datasets/[dataset]": { who: can("schemas.manage"), call: (f, ws) => ({ path: `/api/workspaces/${ws}/label-schemas/00000000-0000-4000-8000-000000000000/datasets/${encodeURIComponent(f.datasetName)}` }) },
  "GET /api/workspaces/[ws]/saved-filters":             { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/saved-filters` }) },
  "POST /api/workspaces/[ws]/saved-filters":            { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/saved-filters`, body: { name: `probe ${Math.random().toString(36).slice(2)}`, query: "has=slot", dataset: f.datasetName } }) },
  "DELETE /api/workspaces/[ws]/saved-filters/[id]":     { who: members, call: (_f, ws) => ({ path: `/api/workspaces/${ws}/saved-filters/00000000-0000-4000-8000-000000000000` }) },
  "POST /api/workspaces/[ws]/parts/tags":               { who: can("parts.curate"), rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/parts/tags`, body: { partIds: [f.queuedPartId], add: ["probe"] } }) },
  "POST /api/workspaces/[ws]/parts/split":              { who: can("parts.curate"), rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/parts/split`, body: { partIds: [f.queuedPartId], split: "train" } }) },
  "GET /api/workspaces/[ws]/datasets/[dataset]/splits": { who: members, rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/splits") }) },
  "PUT /api/workspaces/[ws]/datasets/[dataset]/splits": { who: can("parts.curate"), rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/splits"), body: { config: { seed: "probe", splits: [{ name: "train", ratio: 0.8 }, { name: "test", ratio: 0.2 }], stratify: true, groupNearDuplicates: true } } }) },
  "POST /api/workspaces/[ws]/datasets/[dataset]/splits/assign": { who: can("parts.curate"), rowsOfW: true, call: (f, ws) => ({ path: dataset(ws, f, "/splits/assign") }) },
  "GET /api/workspaces/[ws]/jobs/[id]":                 { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/jobs/${f.jobId}` }) },
  "GET /api/workspaces/[ws]/snapshots":                 { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/snapshots?${ofDataset(f)}` }) },
  "POST /api/workspaces/[ws]/snapshots":                { who: can("parts.curate"), rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/snapshots`, body: { dataset: f.datasetName, name: `probe-${Math.random().toString(36).slice(2)}` } }) },
  "GET /api/workspaces/[ws]/snapshots/diff":            { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/snapshots/diff?a=${encodeURIComponent(f.snapshotName)}&b=${encodeURIComponent(f.snapshotName)}` }) },
  "GET /api/workspaces/[ws]/snapshots/[snapshot]":      { who: members, rowsOfW: true, call: (f, ws) => ({ path: snapshot(ws, f) }) },
  "GET /api/workspaces/[ws]/snapshots/[snapshot]/manifest": { who: members, rowsOfW: true, call: (f, ws) => ({ path: snapshot(ws, f, "/manifest") }) },
  "GET /api/workspaces/[ws]/snapshots/[snapshot]/parts":    { who: members, rowsOfW: true, call: (f, ws) => ({ path: snapshot(ws, f, "/parts?documents=1&urls=1") }) },
  "POST /api/workspaces/[ws]/snapshots/[snapshot]/verify":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: snapshot(ws, f, "/verify"), body: {} }) },
  "GET /api/workspaces/[ws]/snapshots/[snapshot]/exports":  { who: members, rowsOfW: true, call: (f, ws) => ({ path: snapshot(ws, f, "/exports") }) },
  "POST /api/workspaces/[ws]/snapshots/[snapshot]/exports": { who: can("parts.curate"), rowsOfW: true, call: (f, ws) => ({ path: snapshot(ws, f, "/exports"), body: { format: "jsonl" } }) },
  "GET /api/workspaces/[ws]/exports/[id]":              { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/exports/${f.exportId}` }) },
  "GET /api/workspaces/[ws]/exports/[id]/download":     { who: members, rowsOfW: true, call: (f, ws) => ({ path: `/api/workspaces/${ws}/exports/${f.exportId}/download` }) },
};

/** Server actions ("use server" modules): none today. List any added here, with its rule. */
export const SERVER_ACTIONS: Record<string, Rule> = {};
