import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ErrorCode, MemberRole } from "@facet/core";
import { AppError, DEFAULT_TAXONOMY } from "@facet/core";
import pg from "pg";
import { createPool } from "../pool";
import type { Claims } from "../session";
import { TEMPLATE_DB } from "./paths";

export { freePort, REPO_ROOT, SUPABASE_DIR, TEMPLATE_DB } from "./paths";

declare module "vitest" {
  export interface ProvidedContext {
    /** The embedded PostgreSQL started by global-setup.ts (database `postgres`). */
    pgBaseUrl: string;
  }
}

/**
 * The database of a platform started by the launcher (browser tests, benchmarks), as its owner: the
 * password is in the data folder's secrets.json.
 */
export function platformOwnerUrl(dataDir: string, port: number): string {
  const { pgPassword } = JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as {
    pgPassword: string;
  };
  return `postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${port}/facet`;
}

/** One connection as the database owner, for arranging fixtures (connect() it; end() it after). */
export function ownerClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url });
}

export interface TestDatabase {
  url: string;
  /** Connected as the database owner (superuser): for arranging fixtures. */
  owner: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: isolated per test file, in milliseconds. */
export async function createTestDatabase(baseUrl: string): Promise<TestDatabase> {
  const name = `t_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  await admin.end();
  const url = baseUrl.replace(/\/[^/]*$/, `/${name}`);
  const owner = createPool(url, { max: 5, applicationName: "facet-test-owner" });
  return {
    url,
    owner,
    async drop() {
      await owner.end();
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  claims: Claims;
}

export async function createUser(owner: pg.Pool, label = "user"): Promise<TestUser> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const { rows } = await owner.query<{ id: string }>(
    "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
    [email],
  );
  const id = (rows[0] as { id: string }).id;
  return { id, email, claims: { sub: id, role: "authenticated", email, aud: "authenticated" } };
}

/** A workspace with one member per role (and its default label schema and a dataset). */
export async function createWorkspaceWithRoles(owner: pg.Pool, label = "ws") {
  const users = {} as Record<MemberRole, TestUser>;
  for (const role of ["admin", "engineer", "annotator", "ml_engineer", "viewer"] as const) {
    users[role] = await createUser(owner, `${label}-${role}`);
  }
  const slug = `${label}-${randomUUID().slice(0, 8)}`;
  const ws = await owner.query<{ id: string }>(
    "insert into public.workspaces (name, slug, created_by) values ($1, $2, $3) returning id",
    [label, slug, users.admin.id],
  );
  const workspaceId = (ws.rows[0] as { id: string }).id;
  for (const [role, u] of Object.entries(users)) await addMember(owner, workspaceId, u.id, role as MemberRole);
  const schema = await owner.query<{ id: string }>(
    "insert into public.label_schemas (workspace_id, name, taxonomy, is_default) values ($1, 'Default', $2, true) returning id",
    [workspaceId, JSON.stringify(DEFAULT_TAXONOMY)],
  );
  const labelSchemaId = (schema.rows[0] as { id: string }).id;
  const ds = await owner.query<{ id: string }>(
    "insert into public.datasets (workspace_id, name, label_schema_id) values ($1, 'parts', $2) returning id",
    [workspaceId, labelSchemaId],
  );
  return { workspaceId, slug, users, labelSchemaId, datasetId: (ds.rows[0] as { id: string }).id };
}

/** A dataset (a random name unless given), e.g. one of its own per test so that claims are served from it only. */
export async function insertDataset(
  owner: pg.Pool,
  d: { workspaceId: string; labelSchemaId: string; name?: string; requiredAnnotations?: number },
): Promise<string> {
  const values = [d.workspaceId, d.name ?? `d-${randomUUID().slice(0, 8)}`, d.labelSchemaId];
  // the column's own default unless the test asks for a number
  const required = d.requiredAnnotations === undefined ? "" : ", required_annotations";
  if (required) values.push(String(d.requiredAnnotations));
  const { rows } = await owner.query<{ id: string }>(
    `insert into public.datasets (workspace_id, name, label_schema_id${required})
     values (${values.map((_, i) => `$${i + 1}`).join(", ")}) returning id`,
    values,
  );
  return rows[0]?.id as string;
}

/** What an operation threw, as the API would answer: code and message (fails if it did not throw). */
export async function refusal(p: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
}

/** Add an existing user to a workspace with a role. */
export async function addMember(owner: pg.Pool, workspaceId: string, userId: string, role: MemberRole): Promise<void> {
  await owner.query("insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)", [
    workspaceId,
    userId,
    role,
  ]);
}

/** Point a part at a (new) tessellation of its blob, as the worker does; returns the face signature. */
export async function giveGeometry(
  owner: pg.Pool,
  partId: string,
  opts: { faceCount: number; signature?: string },
): Promise<string> {
  const signature = opts.signature ?? `sig-${randomUUID()}`;
  await owner.query(
    `with g as (
       insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
         face_count, triangle_count, face_signature, area, bbox)
       select blob_sha256, $2, 'p', '{}', 'derived/mesh-' || $2, 'derived/faces-' || $2, $3, $3 * 4, $2, 1, '{}'
       from public.parts where id = $1
       returning id
     )
     update public.parts set geometry_id = (select id from g) where id = $1`,
    [partId, signature, opts.faceCount],
  );
  return signature;
}

/**
 * Give a part geometry and a first revision labelling every face (as the owner): the submission rule
 * (FC008) lets only completely labelled parts go to review.
 */
export async function labelCompletely(
  owner: pg.Pool,
  partId: string,
  opts: { authorId: string | null; faceCount?: number },
): Promise<void> {
  const faceCount = opts.faceCount ?? 2;
  const signature = await giveGeometry(owner, partId, { faceCount });
  const document = { schemaVersion: 1, faceSignature: signature, faceCount, labels: Array(faceCount).fill("stock") };
  await owner.query(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document)
     values ($1, 1, $2, $3, $4)`,
    [partId, opts.authorId, signature, JSON.stringify(document)],
  );
}

let blobCounter = 0;

/** Insert parts (and their blobs) directly, in a given status, for queue and status tests. */
export async function insertParts(
  owner: pg.Pool,
  opts: { workspaceId: string; datasetId: string; count: number; status?: string },
): Promise<string[]> {
  const { rows } = await owner.query<{ id: string }>(
    `with b as (
       insert into public.blobs (sha256, size, storage_key)
       select encode(sha256(($3 || '-' || g)::bytea), 'hex'), 100, 'blobs/test/' || g
       from generate_series(1, $4) g
       on conflict do nothing
       returning sha256
     )
     insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status)
     select $1, $2, b.sha256, 'part-' || left(b.sha256, 8) || '.step', $5::public.part_status from b
     returning id`,
    [
      opts.workspaceId,
      opts.datasetId,
      `${process.pid}-${Date.now()}-${blobCounter++}`,
      opts.count,
      opts.status ?? "uploaded",
    ],
  );
  return rows.map((r) => r.id);
}

/** Who runs a statement in `attempt`: a database role, with JWT claims for `authenticated` (and `anon`). */
export interface As {
  role: "authenticated" | "anon" | "service_role" | "owner";
  claims?: Claims | null;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/**
 * Run `fn` once in a transaction as `as.role` with the claims, observe what happened, and roll back:
 * nothing persists, so attempts never affect each other. Deferred constraints are checked before
 * the rollback, so a refusal that would only come at commit is observed too.
 */
export async function attempt<T>(
  pool: pg.Pool,
  as: As,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<Attempt<T>> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    if (as.role !== "owner") await client.query(`set local role ${as.role}`);
    if (as.claims) {
      await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(as.claims)]);
    }
    await client.query("savepoint attempt");
    try {
      const value = await fn(client);
      await client.query("set constraints all immediate");
      return { ok: true, value };
    } catch (e) {
      await client.query("rollback to savepoint attempt");
      const err = e as { code?: string; message?: string };
      if (typeof err.code !== "string") throw e;
      return { ok: false, code: err.code, message: err.message ?? "" };
    }
  } finally {
    await client.query("rollback").catch(() => {});
    client.release();
  }
}

export type FacetEventPayload = Record<string, unknown>;

/**
 * LISTEN on the `facet_events` channel for a test file. `eventsOf(partId, action)` gives the events
 * about the part that `action` caused: NOTIFY is delivered in commit order, so once a marker sent
 * after the action arrives, everything the action caused has too (and nothing sent before counts).
 */
export async function listenFacetEvents(db: TestDatabase): Promise<{
  eventsOf(partId: string, action: () => Promise<unknown>): Promise<FacetEventPayload[]>;
  /** Every Facet event received so far (markers left out). */
  all(): FacetEventPayload[];
  close(): Promise<void>;
}> {
  const received: FacetEventPayload[] = [];
  const listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on("notification", (n) => {
    if (n.channel === "facet_events" && n.payload) received.push(JSON.parse(n.payload));
  });
  await listener.query("listen facet_events");
  const flush = async () => {
    const marker = randomUUID();
    await db.owner.query("select pg_notify('facet_events', $1)", [JSON.stringify({ marker })]);
    const deadline = Date.now() + 5000;
    while (!received.some((e) => e.marker === marker)) {
      if (Date.now() > deadline) throw new Error("the marker notification never arrived");
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    async eventsOf(partId, action) {
      await flush();
      const from = received.length;
      await action();
      await flush();
      return received.slice(from).filter((e) => e.part_id === partId);
    },
    all: () => received.filter((e) => !("marker" in e)),
    close: () => listener.end(),
  };
}
