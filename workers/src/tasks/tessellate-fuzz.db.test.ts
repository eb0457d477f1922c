import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { CORPUS, MUTATIONS, mutateStep } from "@facet/geometry/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GeometryRunner } from "../geometry/runner";
import { tessellatePart } from "./tessellate";
import { uploadedPart } from "./testing";

/**
 * Issue 21, hostile input: damaged copies of real STEP files (bits flipped, entities removed,
 * references broken or circular, absurd numbers, files cut short, ids duplicated, entity types
 * swapped) through the tessellation job as the worker runs it: the supervised OpenCascade process,
 * the real database and store. Every file must end `unannotated` with its geometry or `failed` with
 * a reason a person can read (no stack trace, no internal path), only finite numbers in what is
 * stored, no job left running, and the worker still serving good files afterwards. The geometry
 * process runs under the local worker's ceiling and recycling; its peak is printed.
 *
 * FACET_FUZZ_BUDGET mutants (default 24 here; `npm run test:soak` runs 400), seeds FACET_FUZZ_SEED..:
 * a failure names its seed, file and mutation, and `mutateStep(bytes, seed)` rebuilds the file.
 */
const BUDGET = Number(process.env.FACET_FUZZ_BUDGET ?? 24);
const FIRST_SEED = Number(process.env.FACET_FUZZ_SEED ?? 1);
const MEMORY = 2 * 1024 ** 3;
const SOURCES = ["mfcad/0-0-0-0-0-23.step", "mfcad/0-1-2-3-19.step", "aagnet/", "nist-pmi/nist_ctc_01_asme1_rd.stp"];
/** What a failure reason must never show: a stack frame, a source file, a path on the server. */
const LEAK = /\n\s+at |\.(ts|js|mjs|cpp):\d|\/(work|root|home|tmp|usr|var|opt)\/|node_modules|file:\/\//;

describe("tessellation under hostile STEP files (mutation fuzzing, real worker pipeline)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let runner: GeometryRunner;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  const sources: { name: string; bytes: Buffer }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-fuzz-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    // as the local worker runs it (local-runner.ts): a ceiling, and a fresh process once it has grown large
    runner = new GeometryRunner({ timeoutMs: 60_000, memoryBytes: MEMORY, recycleBytes: 1.2 * 1024 ** 3 });
    ws = await createWorkspaceWithRoles(db.owner, "fuzz");
    for (const s of SOURCES) {
      const file = s.endsWith("/")
        ? path.join(
            CORPUS,
            s,
            (await import("node:fs/promises").then((fs) => fs.readdir(path.join(CORPUS, s))))
              .filter((f) => /\.(step|stp)$/i.test(f))
              .sort()[0] as string,
          )
        : path.join(CORPUS, s);
      sources.push({ name: path.basename(file), bytes: await readFile(file) });
    }
  });
  afterAll(async () => {
    runner.stop();
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  it(`ends every damaged file processed or failed with a readable reason (${BUDGET} mutants)`, async () => {
    const outcomes = new Map<string, number>();
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const started = performance.now();
    let hungriest = "";
    for (let i = 0; i < BUDGET; i++) {
      const seed = FIRST_SEED + i;
      const source = sources[i % sources.length] as { name: string; bytes: Buffer };
      // every mutation in turn, then the seed's own choice
      const mutant = mutateStep(source.bytes, seed, i < MUTATIONS.length ? MUTATIONS[i] : undefined);
      const what = `seed ${seed}, ${source.name}, ${mutant.mutation} (${mutant.description})`;
      const { partId, jobId } = await uploadedPart(db.owner, store, {
        workspaceId: ws.workspaceId,
        datasetId: ws.datasetId,
        name: `${seed}-${source.name}`,
        bytes: Buffer.from(mutant.bytes),
      });
      const peakBefore = runner.peakRss;
      await tessellatePart({ pool: db.owner, store, runner, log: () => {} }, { jobId });
      if (runner.peakRss > peakBefore) hungriest = what;
      const part = (
        await db.owner.query<{ status: string; failure_reason: string | null; geometry_id: string | null }>(
          "select status, failure_reason, geometry_id from parts where id = $1",
          [partId],
        )
      ).rows[0];
      const job = (await db.owner.query<{ status: string }>("select status from jobs where id = $1", [jobId])).rows[0];
      expect(["unannotated", "failed"], what).toContain(part?.status);
      if (part?.status === "failed") {
        expect(part.failure_reason, what).toMatch(/\S/);
        expect(part.failure_reason, what).not.toMatch(LEAK);
        expect(job?.status, what).toBe("failed");
        count(`failed: ${(part.failure_reason as string).replace(/[\d.]+/g, "N").slice(0, 60)}`);
      } else {
        expect(part?.geometry_id, what).not.toBeNull();
        // what the viewer, the catalog and the pre-labelers read: finite numbers only
        const g = await db.owner.query<{ bbox: string; area: number }>(
          "select bbox::text as bbox, area from part_geometry where id = $1",
          [part?.geometry_id],
        );
        expect(g.rows[0]?.bbox, what).not.toMatch(/null|NaN|Infinity/);
        expect(Number.isFinite(Number(g.rows[0]?.area)), what).toBe(true);
        expect(job?.status, what).toBe("completed");
        count("processed");
      }
    }
    // nothing left half-done, the process within its ceiling, and good files still served
    const stuck = await db.owner.query(
      "select count(*)::int as n from parts where workspace_id = $1 and status in ('uploaded', 'processing')",
      [ws.workspaceId],
    );
    expect(stuck.rows[0].n).toBe(0);
    // memory: the ceiling is enforced by the runner (a file above it is killed and fails "ran out of
    // memory", tessellate.db.test.ts); the peak is printed below, a figure, not a timing-bound assertion
    const good = sources[1] as { name: string; bytes: Buffer };
    const after = await uploadedPart(db.owner, store, {
      workspaceId: ws.workspaceId,
      datasetId: ws.datasetId,
      name: "after-the-fuzzing.step",
      bytes: Buffer.concat([good.bytes, Buffer.from("\n")]),
    });
    await tessellatePart({ pool: db.owner, store, runner, log: () => {} }, { jobId: after.jobId });
    const last = await db.owner.query("select status from parts where id = $1", [after.partId]);
    expect(last.rows[0].status).toBe("unannotated");

    const seconds = (performance.now() - started) / 1000;
    console.log(
      `STEP mutation fuzzing: ${BUDGET} mutants of ${sources.length} corpus files in ${seconds.toFixed(0)} s (${(seconds / BUDGET).toFixed(2)} s each), geometry process peak ${(runner.peakRss / 1024 ** 2).toFixed(0)} MB (${hungriest})\n${[
        ...outcomes,
      ]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `  ${n} × ${k}`)
        .join("\n")}`,
    );
  }, 3_600_000);
});
