import { createHash } from "node:crypto";
import { AppError, blobKey, type ErrorCode, isAppError, uploadKey, wellFormedPrefix } from "@facet/core";
import {
  type Claims,
  type DatasetRef,
  heldBlobs,
  type IngestedPart,
  isBlobVerified,
  type Pool,
  partsOfDatasetByHash,
  type RequestContext,
  recordAuditEvent,
  recordIngestedPart,
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
 *    the dataset ("present"), whether the workspace already holds those bytes so a part is made at
 *    once ("linked", nothing transferred), or hand out a presigned PUT ("upload").
 * 2. the client PUTs the bytes straight to storage, under the workspace's upload key;
 * 3. completeUpload: verify the uploaded object (length, hash, STEP header), make it the content
 *    address (or drop it when that content is stored already), then record blob, the workspace's
 *    proof of holding it, part and the tessellation job in one transaction.
 *
 * Content is stored once per SHA-256 for the whole instance, but a workspace links stored content
 * only when it has proven it holds the bytes (it uploaded them, or already had a part with them):
 * knowing a hash gives nothing, and no answer tells whether a hash is stored for someone else.
 */

export interface IngestDeps {
  pool: Pool;
  store: BlobStore;
  claims: Claims;
  ctx: RequestContext;
  maxBytes: number;
  uploadUrlTtlSeconds: number;
}

export type Dataset = DatasetRef;

export type PartRef = IngestedPart;

export type BeginResult =
  | { name: string; sha256: string; status: "present"; part: PartRef }
  | { name: string; sha256: string; status: "linked"; part: PartRef }
  | { name: string; sha256: string; status: "upload"; put: PresignedRequest }
  | { name: string; sha256: string; status: "rejected"; error: { code: ErrorCode; message: string } };

const STEP_MAGIC = "ISO-10303-21";

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
    name: typeof file.name === "string" ? wellFormedPrefix(file.name, 300) : null,
    sha256: typeof file.sha256 === "string" ? wellFormedPrefix(file.sha256, 64) : null,
    size: typeof file.size === "number" ? file.size : null,
    code: e.code,
    reason: e.message,
  });
  throw e;
}

/**
 * Blob, the workspace's proof of holding it, part and tessellation job in one transaction, as the
 * user (see `recordIngestedPart`). `beforeCommit`: storage work that must succeed for the records to
 * stand; it runs after them, before the commit.
 */
async function recordPart(
  deps: IngestDeps,
  dataset: Dataset,
  file: DeclaredFile,
  beforeCommit?: () => Promise<void>,
): Promise<{ part: PartRef; created: boolean }> {
  return withUser(
    deps.pool,
    deps.claims,
    async (c) => {
      const result = await recordIngestedPart(c, {
        workspaceId: dataset.workspaceId,
        datasetId: dataset.id,
        userId: deps.claims.sub,
        sha256: file.sha256,
        size: file.size,
        name: file.name,
      });
      await beforeCommit?.();
      return result;
    },
    { ...deps.ctx, workspaceId: dataset.workspaceId },
  );
}

/**
 * For content recorded without a new upload (the workspace holds it already): the stored object must
 * still be there when the records commit. It runs after the blob's row is written (and so locked):
 * `facet gc` deletes an unreferenced blob holding that row, so either gc finished first and the object
 * is gone (refused here: upload the file again), or this commit comes first and gc sees the part.
 */
const requireStored = (store: BlobStore, sha256: string) => async () => {
  if (!(await store.head(blobKey(sha256))))
    throw new AppError("UPLOAD_MISSING", "the stored copy of this content is gone: upload the file again");
};

function sizeMismatch(declared: number, stored: number): AppError {
  return new AppError("CONTENT_MISMATCH", `this content has ${stored} bytes, ${declared} were declared`);
}

/** Record a part of content the workspace holds; false when its stored copy is gone (upload it again). */
async function linkHeldContent(
  deps: IngestDeps,
  dataset: Dataset,
  file: DeclaredFile,
  present: Map<string, { part: PartRef; size: number }>,
  results: Array<BeginResult | null>,
  index: number,
): Promise<boolean> {
  try {
    const recorded = await recordPart(deps, dataset, file, requireStored(deps.store, file.sha256));
    present.set(file.sha256, { part: recorded.part, size: file.size });
    results[index] = { name: file.name, sha256: file.sha256, status: "linked", part: recorded.part };
    return true;
  } catch (e) {
    if (isAppError(e) && e.code === "UPLOAD_MISSING") return false;
    throw e;
  }
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
      const name = typeof r.name === "string" ? wellFormedPrefix(r.name, 300) : "";
      const sha256 = typeof r.sha256 === "string" ? wellFormedPrefix(r.sha256, 64) : "";
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

  // two queries for the whole batch, both within the workspace: parts already in the dataset, and
  // content the workspace has proven it holds (never whether anyone else stored it)
  const hashes = [...new Set(valid.map((v) => v.file.sha256))];
  const { present, held } = await withUser(
    deps.pool,
    deps.claims,
    async (c) => {
      const inDataset = await partsOfDatasetByHash(c, dataset.id, hashes);
      return {
        present: inDataset,
        held: await heldBlobs(
          c,
          dataset.workspaceId,
          hashes.filter((h) => !inDataset.has(h)),
        ),
      };
    },
    { ...deps.ctx, workspaceId: dataset.workspaceId },
  );

  const puts = new Map<string, PresignedRequest>();
  for (const { index, file } of valid) {
    const base = { name: file.name, sha256: file.sha256 };
    const known = present.get(file.sha256) ?? held.get(file.sha256);
    if (known && known.size !== file.size) {
      const e = sizeMismatch(file.size, known.size);
      results[index] = { ...base, status: "rejected", error: { code: e.code, message: e.message } };
      rejected.push({ ...base, size: file.size, code: e.code, reason: e.message });
      continue;
    }
    const inDataset = present.get(file.sha256);
    if (inDataset) {
      results[index] = { ...base, status: "present", part: inDataset.part };
    } else if (held.has(file.sha256) && (await linkHeldContent(deps, dataset, file, present, results, index))) {
      // linked to what the workspace holds
    } else {
      let put = puts.get(file.sha256);
      if (!put) {
        put = await deps.store.presignPut(uploadKey(dataset.workspaceId, file.sha256), {
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
  // Content the workspace holds already (another dataset's part, or a concurrent upload that won):
  // nothing to verify again, only the declaration.
  const heldNow = async () =>
    (
      await withUser(deps.pool, deps.claims, (c) => heldBlobs(c, dataset.workspaceId, [file.sha256]), {
        ...deps.ctx,
        workspaceId: dataset.workspaceId,
      })
    ).get(file.sha256);
  const linkHeld = async (held: { size: number }) => {
    if (held.size !== file.size) return reject(deps, dataset, sizeMismatch(file.size, held.size), file);
    return recordAndAudit(deps, dataset, file, requireStored(deps.store, file.sha256));
  };
  const held = await heldNow();
  // (its stored copy gone, an upload of the bytes stores them again below)
  if (held && (await deps.store.head(blobKey(file.sha256)))) return linkHeld(held);

  const staged = uploadKey(dataset.workspaceId, file.sha256);
  const head = await deps.store.head(staged);
  if (!head) {
    // the same bytes completed by a concurrent request of this workspace (two names, two datasets)
    const raced = await heldNow();
    if (raced) return linkHeld(raced);
    return reject(
      deps,
      dataset,
      new AppError("UPLOAD_MISSING", "nothing was uploaded for this file yet: upload it first"),
      file,
    );
  }
  // Are the uploaded bytes what was declared, and a STEP file? If not, nothing of them stays.
  const refuse = async (e: AppError) => {
    await deps.store.delete(staged);
    return reject(deps, dataset, e, file);
  };
  if (head.size !== file.size) {
    return refuse(
      new AppError("CONTENT_MISMATCH", `the uploaded object has ${head.size} bytes, ${file.size} were declared`),
    );
  }
  const actual = head.sha256 ?? (await sha256Of(deps.store, staged));
  if (actual !== file.sha256) {
    return refuse(new AppError("CONTENT_MISMATCH", "the uploaded bytes do not match the declared SHA-256"));
  }
  if (!looksLikeStep(await deps.store.readRange(staged, 0, 255))) {
    return refuse(new AppError("NOT_A_STEP_FILE", "this is not a STEP file: it does not start with ISO-10303-21"));
  }
  // The workspace has proven it holds the bytes. Store them once: as the content address, unless
  // that content is stored already (then the upload only served as the proof). Done inside the
  // transaction that records them, after the database accepted the part (role, dataset): a refused
  // completion leaves the upload where it was, and a failed move records nothing.
  const key = blobKey(file.sha256);
  const promote = async () => {
    const stored = await withService(deps.pool, (c) => isBlobVerified(c, file.sha256));
    if (stored && (await deps.store.head(key))) await deps.store.delete(staged);
    else await deps.store.move(staged, key);
  };
  try {
    return await recordAndAudit(deps, dataset, file, promote);
  } catch (e) {
    if (!(isAppError(e) && e.code === "NOT_FOUND" && !(await deps.store.head(staged)))) throw e;
    // a concurrent completion of the same upload took it first: it records the proof
    for (let i = 0; i < 20; i++) {
      const raced = await heldNow();
      if (raced) return linkHeld(raced);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw e;
  }
}

async function recordAndAudit(
  deps: IngestDeps,
  dataset: Dataset,
  file: DeclaredFile,
  beforeCommit?: () => Promise<void>,
): Promise<{ part: PartRef; created: boolean }> {
  const result = await recordPart(deps, dataset, file, beforeCommit);
  await audit(deps, dataset, result.created ? "upload.completed" : "upload.skipped", {
    name: file.name,
    sha256: file.sha256,
    size: file.size,
    partId: result.part.id,
  });
  return result;
}
