import { createHash } from "node:crypto";
import { AppError, blobKey, type ErrorCode, isAppError } from "@facet/core";
import {
  type Claims,
  type Pool,
  type PoolClient,
  type RequestContext,
  recordAuditEvent,
  withService,
  withUser,
} from "@facet/db";
import type { BlobStore, PresignedRequest } from "@facet/storage";
import { type DeclaredFile, declaredFileSchema } from "./schemas";

/**
 * Getting STEP files in: content-addressed, idempotent, verified. Shared by the browser upload,
 * the `facet` CLI and API clients (they all speak the HTTP API that wraps these functions).
 *
 * 1. beginUploads: for each declared file (name, size, SHA-256) say whether its part is already in
 *    the dataset ("present"), whether its bytes are already stored so a part is made at once
 *    ("linked", nothing transferred), or hand out a presigned PUT ("upload").
 * 2. the client PUTs the bytes straight to storage;
 * 3. completeUpload: verify the stored object (length, hash, STEP header), then record blob, part
 *    and the tessellation job in one transaction.
 */

export interface IngestDeps {
  pool: Pool;
  store: BlobStore;
  claims: Claims;
  ctx: RequestContext;
  maxBytes: number;
  uploadUrlTtlSeconds: number;
}

export interface Dataset {
  id: string;
  workspaceId: string;
  name: string;
}

export interface PartRef {
  id: string;
  name: string;
  status: string;
}

export type BeginResult =
  | { name: string; sha256: string; status: "present"; part: PartRef }
  | { name: string; sha256: string; status: "linked"; part: PartRef }
  | { name: string; sha256: string; status: "upload"; put: PresignedRequest }
  | { name: string; sha256: string; status: "rejected"; error: { code: ErrorCode; message: string } };

const STEP_MAGIC = "ISO-10303-21";
export const TESSELLATE_JOB = "geometry:tessellate";

function checkDeclared(raw: unknown, maxBytes: number): DeclaredFile {
  const parsed = declaredFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("VALIDATION_FAILED", `${issue?.path.join(".") || "file"}: ${issue?.message ?? "invalid"}`);
  }
  const f = parsed.data;
  if (f.size === 0) throw new AppError("EMPTY_FILE", "the file is empty");
  if (f.size > maxBytes) {
    throw new AppError("PAYLOAD_TOO_LARGE", `the file has ${f.size} bytes; the limit is ${maxBytes}`);
  }
  return f;
}

async function audit(deps: IngestDeps, dataset: Dataset, action: string, data: Record<string, unknown>) {
  await withUser(
    deps.pool,
    deps.claims,
    (c) =>
      recordAuditEvent(c, {
        workspaceId: dataset.workspaceId,
        action,
        targetTable: "datasets",
        targetId: dataset.id,
        data,
      }),
    deps.ctx,
  );
}

/** Record a refused file in the audit log, then throw the refusal. */
async function reject(deps: IngestDeps, dataset: Dataset, e: AppError, file: Partial<DeclaredFile>): Promise<never> {
  await audit(deps, dataset, "upload.rejected", {
    name: typeof file.name === "string" ? file.name.slice(0, 300) : null,
    sha256: file.sha256 ?? null,
    size: file.size ?? null,
    code: e.code,
    reason: e.message,
  });
  throw e;
}

async function findPart(client: PoolClient, datasetId: string, sha256: string): Promise<PartRef | null> {
  const { rows } = await client.query<PartRef>(
    "select id, name, status from public.parts where dataset_id = $1 and blob_sha256 = $2",
    [datasetId, sha256],
  );
  return rows[0] ?? null;
}

/**
 * Blob, part and tessellation job in one transaction, as the user (RLS: uploaders only); the blob row
 * itself is written as the service, since only the server can vouch that the bytes were verified.
 * Idempotent: a part already in the dataset is returned as it is.
 */
async function recordPart(
  deps: IngestDeps,
  dataset: Dataset,
  file: DeclaredFile,
): Promise<{ part: PartRef; created: boolean }> {
  return withUser(
    deps.pool,
    deps.claims,
    async (c) => {
      await c.query("set local role service_role");
      await c.query(
        `insert into public.blobs (sha256, size, media_type, storage_key, verified_at)
         values ($1, $2, 'model/step', $3, now())
         on conflict (sha256) do update set verified_at = coalesce(public.blobs.verified_at, now())`,
        [file.sha256, file.size, blobKey(file.sha256)],
      );
      await c.query("set local role authenticated");
      const inserted = await c.query<PartRef>(
        `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, created_by)
         values ($1, $2, $3, $4, auth.uid())
         on conflict (dataset_id, blob_sha256) do nothing
         returning id, name, status`,
        [dataset.workspaceId, dataset.id, file.sha256, file.name],
      );
      const created = inserted.rows[0];
      if (!created) return { part: (await findPart(c, dataset.id, file.sha256)) as PartRef, created: false };
      await c.query(
        `insert into public.jobs (workspace_id, kind, part_id, payload, created_by)
         values ($1, $2, $3, $4, auth.uid())`,
        [dataset.workspaceId, TESSELLATE_JOB, created.id, JSON.stringify({ sha256: file.sha256 })],
      );
      return { part: created, created: true };
    },
    deps.ctx,
  );
}

export async function beginUploads(deps: IngestDeps, dataset: Dataset, files: unknown[]): Promise<BeginResult[]> {
  const results: Array<BeginResult | null> = files.map(() => null);
  const valid: Array<{ index: number; file: DeclaredFile }> = [];
  const rejected: Array<Record<string, unknown>> = [];
  files.forEach((raw, index) => {
    try {
      valid.push({ index, file: checkDeclared(raw, deps.maxBytes) });
    } catch (e) {
      if (!isAppError(e)) throw e;
      const r = (raw ?? {}) as { name?: unknown; sha256?: unknown; size?: unknown };
      const name = typeof r.name === "string" ? r.name.slice(0, 300) : "";
      const sha256 = typeof r.sha256 === "string" ? r.sha256.slice(0, 64) : "";
      results[index] = { name, sha256, status: "rejected", error: { code: e.code, message: e.message } };
      rejected.push({
        name,
        sha256,
        size: typeof r.size === "number" ? r.size : null,
        code: e.code,
        reason: e.message,
      });
    }
  });

  // two queries for the whole batch: parts already in the dataset, and bytes already stored and verified
  const hashes = [...new Set(valid.map((v) => v.file.sha256))];
  const present = new Map(
    (
      await withUser(
        deps.pool,
        deps.claims,
        (c) =>
          c.query<PartRef & { sha256: string }>(
            "select id, name, status, blob_sha256 as sha256 from public.parts where dataset_id = $1 and blob_sha256 = any ($2)",
            [dataset.id, hashes],
          ),
        deps.ctx,
      )
    ).rows.map(({ sha256, ...part }) => [sha256, part]),
  );
  const verified = new Set(
    (
      await withService(deps.pool, (c) =>
        c.query<{ sha256: string }>(
          "select sha256 from public.blobs where sha256 = any ($1) and verified_at is not null",
          [hashes.filter((h) => !present.has(h))],
        ),
      )
    ).rows.map((r) => r.sha256),
  );

  const puts = new Map<string, PresignedRequest>();
  for (const { index, file } of valid) {
    const base = { name: file.name, sha256: file.sha256 };
    const part = present.get(file.sha256);
    if (part) {
      results[index] = { ...base, status: "present", part };
    } else if (verified.has(file.sha256) && (await deps.store.head(blobKey(file.sha256)))) {
      const recorded = await recordPart(deps, dataset, file);
      present.set(file.sha256, recorded.part);
      results[index] = { ...base, status: "linked", part: recorded.part };
    } else {
      let put = puts.get(file.sha256);
      if (!put) {
        put = await deps.store.presignPut(blobKey(file.sha256), {
          size: file.size,
          sha256: file.sha256,
          expiresInSeconds: deps.uploadUrlTtlSeconds,
        });
        puts.set(file.sha256, put);
      }
      results[index] = { ...base, status: "upload", put };
    }
  }

  const done = results as BeginResult[];
  const count = (s: BeginResult["status"]) => done.filter((r) => r.status === s).length;
  for (const r of rejected) await audit(deps, dataset, "upload.rejected", r);
  if (count("present") + count("linked") > 0) {
    await audit(deps, dataset, "upload.skipped", { present: count("present"), linked: count("linked") });
  }
  return done;
}

async function sha256Of(store: BlobStore, key: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of await store.get(key)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Whether bytes start like a STEP file (`ISO-10303-21;`), after an optional BOM and white space. */
export function looksLikeStep(head: Buffer): boolean {
  return head
    .toString("latin1")
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, "")
    .trimStart()
    .startsWith(STEP_MAGIC);
}

export async function completeUpload(
  deps: IngestDeps,
  dataset: Dataset,
  raw: unknown,
): Promise<{ part: PartRef; created: boolean }> {
  let file: DeclaredFile;
  try {
    file = checkDeclared(raw, deps.maxBytes);
  } catch (e) {
    return reject(deps, dataset, e as AppError, (raw ?? {}) as Partial<DeclaredFile>);
  }
  const key = blobKey(file.sha256);
  const head = await deps.store.head(key);
  if (!head)
    return reject(
      deps,
      dataset,
      new AppError("UPLOAD_MISSING", "nothing was uploaded for this file yet: upload it first"),
      file,
    );

  // A blob already vouched for by the server (another upload won the race) is not re-checked.
  const known = await withService(deps.pool, (c) =>
    c.query("select 1 from public.blobs where sha256 = $1 and verified_at is not null", [file.sha256]),
  );
  if (known.rowCount === 0) {
    // Is the object what its key says (bytes hashing to the key)? If not, it is garbage: remove it.
    const actual = head.sha256 ?? (await sha256Of(deps.store, key));
    if (actual !== file.sha256) {
      await deps.store.delete(key);
      return reject(
        deps,
        dataset,
        new AppError("CONTENT_MISMATCH", "the stored bytes do not match the declared SHA-256"),
        file,
      );
    }
    if (!looksLikeStep(await deps.store.readRange(key, 0, 255))) {
      await deps.store.delete(key); // nothing of a refused upload stays behind
      return reject(
        deps,
        dataset,
        new AppError("NOT_A_STEP_FILE", "this is not a STEP file: it does not start with ISO-10303-21"),
        file,
      );
    }
  }
  // The object is sound; a wrong declaration is refused without touching it.
  if (head.size !== file.size) {
    return reject(
      deps,
      dataset,
      new AppError("CONTENT_MISMATCH", `the stored object has ${head.size} bytes, ${file.size} were declared`),
      file,
    );
  }
  const result = await recordPart(deps, dataset, file);
  await audit(deps, dataset, result.created ? "upload.completed" : "upload.skipped", {
    name: file.name,
    sha256: file.sha256,
    size: file.size,
    partId: result.part.id,
  });
  return result;
}
