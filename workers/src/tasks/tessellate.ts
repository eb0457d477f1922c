import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { blobKey } from "@facet/core";
import { type Pool, type PoolClient, withService } from "@facet/db";
import {
  DEFAULT_PARAMS,
  type FacesDocument,
  fingerprint,
  TESSELLATOR_VERSION,
  type TessellationParams,
} from "@facet/geometry";
import type { Prelabeler } from "@facet/prelabel";
import type { BlobStore } from "@facet/storage";
import { z } from "zod";
import type { GeometryEngine } from "../geometry/engine";
import { GeometryLimitError } from "../geometry/runner";
import { type PrelabelOutcome, recordPrelabel, runPrelabelers } from "./prelabel";

export const TESSELLATE = "geometry:tessellate";
export const payloadSchema = z.object({ jobId: z.uuid() });

export interface TessellateDeps {
  pool: Pool;
  store: BlobStore;
  /** Where the geometry runs: a supervised child process (graphile-worker) or in-process (Trigger.dev). */
  runner: GeometryEngine;
  /** Recorded on the job: which job system ran it. */
  runnerName?: "graphile-worker" | "trigger.dev";
  params?: TessellationParams;
  /** Run after tessellation on new parts; none: parts wait `unannotated`. */
  prelabelers?: readonly Prelabeler[];
  log: (line: string) => void;
}

interface JobRow {
  id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  part_id: string;
  part_name: string;
  blob_sha256: string;
  part_status: string;
  size: number;
  taxonomy: unknown;
  /** The dataset pre-labels its new parts. */
  prelabel: boolean;
  /** Someone asked to pre-label this (processed, unannotated) part again. */
  prelabel_again: boolean;
}

interface GeometryRow {
  id: string;
  face_count: number;
  triangle_count: number;
  face_signature: string;
  mesh_key: string;
  faces_key: string;
}

const GEOMETRY_COLUMNS = "id, face_count, triangle_count, face_signature, mesh_key, faces_key";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function readVerified(store: BlobStore, key: string, expected: string): Promise<Uint8Array | null> {
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) {
    hash.update(chunk as Buffer);
    chunks.push(chunk as Buffer);
  }
  return hash.digest("hex") === expected ? Buffer.concat(chunks) : null;
}

async function progress(pool: Pool, jobId: string, value: number, message: string) {
  await withService(pool, (c) =>
    c.query("update public.jobs set progress = $2, progress_message = $3 where id = $1", [jobId, value, message]),
  );
}

/** The job with its part and blob, locked for this transaction. */
async function lockJob(c: PoolClient, jobId: string): Promise<JobRow | undefined> {
  const { rows } = await c.query<JobRow>(
    `select j.id, j.status, j.attempts, j.max_attempts, j.part_id, p.name as part_name, p.blob_sha256,
            p.status as part_status, b.size, s.taxonomy, d.prelabel,
            coalesce((j.payload ->> 'prelabel')::boolean, false) as prelabel_again
     from public.jobs j join public.parts p on p.id = j.part_id join public.blobs b on b.sha256 = p.blob_sha256
     join public.datasets d on d.id = p.dataset_id left join public.label_schemas s on s.id = d.label_schema_id
     where j.id = $1 for update of j`,
    [jobId],
  );
  return rows[0];
}

async function failPart(c: PoolClient, job: JobRow, reason: string) {
  await c.query(
    "update public.parts set status = 'failed', failure_reason = $2 where id = $1 and status = 'processing'",
    [job.part_id, reason],
  );
  await c.query(
    "update public.jobs set status = 'failed', error = $2, finished_at = now(), progress = 1 where id = $1",
    [job.id, reason],
  );
}

/**
 * Tessellate a part's blob: read it back and check its hash, mesh it in the geometry process, store
 * the GLB and the faces document content-addressed with their provenance, then move the part to
 * `unannotated` (or `failed` with the reason). Idempotent: run again after a crash, it reuses what
 * exists and never writes a second set of outputs.
 */
export async function tessellatePart(deps: TessellateDeps, rawPayload: unknown): Promise<void> {
  const { jobId } = payloadSchema.parse(rawPayload);
  const params = deps.params ?? DEFAULT_PARAMS;
  const paramsHash = fingerprint(JSON.stringify(params));
  const job = await withService(deps.pool, async (c) => {
    const row = await lockJob(c, jobId);
    if (!row || ["completed", "failed", "canceled"].includes(row.status)) return null;
    await c.query(
      `update public.jobs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
         runner = $2, progress = 0.05, progress_message = 'reading the file', error = null
       where id = $1`,
      [jobId, deps.runnerName ?? "graphile-worker"],
    );
    if (row.part_status === "uploaded") {
      await c.query("update public.parts set status = 'processing' where id = $1", [row.part_id]);
    }
    return { ...row, attempts: row.attempts + 1 };
  });
  if (!job) return; // the part was deleted, or the job already ended

  try {
    let geometry = await withService(
      deps.pool,
      async (c) =>
        (
          await c.query<GeometryRow>(
            `select ${GEOMETRY_COLUMNS} from public.part_geometry
           where blob_sha256 = $1 and tessellator_version = $2 and params_hash = $3`,
            [job.blob_sha256, TESSELLATOR_VERSION, paramsHash],
          )
        ).rows[0],
    );
    let document: FacesDocument | null = null;
    if (!geometry) {
      const bytes = await readVerified(deps.store, blobKey(job.blob_sha256), job.blob_sha256);
      if (!bytes) {
        await withService(deps.pool, (c) =>
          failPart(c, job, "the stored file is damaged: its bytes no longer match their SHA-256"),
        );
        return;
      }
      await progress(deps.pool, jobId, 0.2, "meshing");
      let result: Awaited<ReturnType<GeometryEngine["run"]>>;
      try {
        result = await deps.runner.run(bytes, params);
      } catch (e) {
        const reason =
          e instanceof GeometryLimitError || (e as { geometryReason?: string }).geometryReason
            ? (e as Error).message
            : null;
        if (reason === null) throw e;
        await withService(deps.pool, (c) => failPart(c, job, reason));
        deps.log(`tessellate ${job.part_id}: failed: ${reason}`);
        return;
      }
      await progress(deps.pool, jobId, 0.8, "storing the mesh");
      const base = `derived/geometry/${job.blob_sha256}/${TESSELLATOR_VERSION}/${paramsHash}`;
      const faces = new TextEncoder().encode(JSON.stringify(result.document));
      for (const [key, data] of [
        [`${base}/mesh.glb`, result.glb],
        [`${base}/faces.json`, faces],
      ] as const) {
        const digest = sha256(data);
        const head = await deps.store.head(key);
        if (head?.sha256 !== digest)
          await deps.store.put(key, Readable.from([Buffer.from(data)]), { size: data.byteLength, sha256: digest });
      }
      const d = result.document;
      document = d;
      geometry = await withService(deps.pool, async (c) => {
        await c.query(
          `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
             face_count, triangle_count, face_signature, area, bbox, duration_ms)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           on conflict (blob_sha256, tessellator_version, params_hash) do nothing`,
          [
            job.blob_sha256,
            TESSELLATOR_VERSION,
            paramsHash,
            JSON.stringify(params),
            `${base}/mesh.glb`,
            `${base}/faces.json`,
            d.faceCount,
            d.triangleCount,
            d.signature,
            d.area,
            JSON.stringify(d.bbox),
            result.ms,
          ],
        );
        return (
          await c.query<GeometryRow>(
            `select ${GEOMETRY_COLUMNS} from public.part_geometry
             where blob_sha256 = $1 and tessellator_version = $2 and params_hash = $3`,
            [job.blob_sha256, TESSELLATOR_VERSION, paramsHash],
          )
        ).rows[0];
      });
    }
    const g = geometry as GeometryRow;
    // new parts are pre-labelled before anyone can claim them; waiting ones again when asked
    const fresh = job.prelabel && ["uploaded", "processing"].includes(job.part_status);
    const again = job.prelabel_again && job.part_status === "unannotated";
    let prelabel: PrelabelOutcome | null = null;
    if (deps.prelabelers?.length && (fresh || again)) {
      await progress(deps.pool, jobId, 0.9, "pre-labelling");
      prelabel = await prelabelNewPart(deps, deps.prelabelers, job, g, document);
    }
    await withService(deps.pool, async (c) => {
      await c.query(
        `update public.parts set geometry_id = $2,
           geometry = jsonb_build_object('faceCount', $3::int, 'triangleCount', $4::int, 'signature', $5::text, 'tessellator', $6::text),
           status = case when status = 'processing' then 'unannotated'::public.part_status else status end
         where id = $1`,
        [job.part_id, g.id, g.face_count, g.triangle_count, g.face_signature, TESSELLATOR_VERSION],
      );
      if (prelabel) await recordPrelabel(c, job.part_id, prelabel);
      await c.query(
        `update public.jobs set status = 'completed', progress = 1, progress_message = null, finished_at = now(),
           result = jsonb_build_object('geometryId', $2::uuid, 'faceCount', $3::int) || $4::jsonb where id = $1`,
        [jobId, g.id, g.face_count, JSON.stringify(prelabel ? { prelabel: prelabelSummary(prelabel) } : {})],
      );
    });
    deps.log(
      `tessellate ${job.part_id}: ${g.face_count} faces, ${g.triangle_count} triangles` +
        (prelabel?.ok ? `, pre-labelled in ${prelabel.ms} ms` : prelabel ? `; ${prelabel.reason}` : ""),
    );
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    await withService(deps.pool, async (c) => {
      if (job.attempts >= job.max_attempts) {
        await failPart(c, job, `processing failed after ${job.attempts} attempts: ${message}`);
      } else {
        await c.query("update public.jobs set status = 'queued', error = $2 where id = $1", [jobId, message]);
      }
    }).catch(() => {});
    if (job.attempts < job.max_attempts) throw e; // graphile-worker retries with backoff
  }
}

/**
 * Pre-label a part whose geometry is ready. Never throws: whatever goes wrong (the faces document
 * unreadable, a URL not signed, every model failing) becomes the reason the part waits unannotated.
 */
async function prelabelNewPart(
  deps: TessellateDeps,
  prelabelers: readonly Prelabeler[],
  job: JobRow,
  g: GeometryRow,
  document: FacesDocument | null,
): Promise<PrelabelOutcome> {
  const started = performance.now();
  try {
    return await runPrelabelers(
      { store: deps.store, prelabelers, log: deps.log },
      {
        partId: job.part_id,
        partName: job.part_name,
        sha256: job.blob_sha256,
        taxonomy: job.taxonomy,
        meshKey: g.mesh_key,
        facesKey: g.faces_key,
      },
      document ?? (await readFacesDocument(deps.store, g.faces_key)),
    );
  } catch (e) {
    const reason = `pre-labelling could not run: ${String((e as Error)?.message ?? e).slice(0, 500)}`;
    return { ok: false, reason, ms: Math.round(performance.now() - started) };
  }
}

/** The faces document of geometry made earlier (for another part with the same content). */
async function readFacesDocument(store: BlobStore, key: string): Promise<FacesDocument> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as FacesDocument;
}

/** What the job's record says of pre-labelling. */
function prelabelSummary(p: PrelabelOutcome) {
  return p.ok
    ? { ms: p.ms, models: p.models, meanConfidence: p.combined.meanConfidence }
    : { ms: p.ms, error: p.reason };
}

/**
 * The job system gave up on a job outside the handler (Trigger.dev: the run's machine ran out of
 * memory or hit its time limit on every attempt): the part fails with that reason, unless the job
 * already ended.
 */
export async function failUnfinishedJob(pool: Pool, rawPayload: unknown, reason: string): Promise<void> {
  const { jobId } = payloadSchema.parse(rawPayload);
  await withService(pool, async (c) => {
    const job = await lockJob(c, jobId);
    if (!job || ["completed", "failed", "canceled"].includes(job.status)) return;
    await failPart(c, job, reason);
  });
}
