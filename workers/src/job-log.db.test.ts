/**
 * The worker's job log lines (issue 19) from a real graphile-worker on a real database: a line when
 * each job starts, and when it ends or fails, with the job's id and kind.
 */
import { EventEmitter } from "node:events";
import { createLogger } from "@facet/core";
import { createTestDatabase, type TestDatabase } from "@facet/db/testing";
import { makeWorkerUtils, run, type WorkerEvents } from "graphile-worker";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { graphileLogger, logJobEvents } from "./job-log";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
});

afterAll(async () => {
  await db.drop();
});

it("logs each job's start, then its end with a duration, or its failure with the error and whether it is retried", async () => {
  const lines: string[] = [];
  const log = createLogger({ process: "worker", write: (l) => lines.push(l) });
  const events = new EventEmitter() as WorkerEvents;
  logJobEvents(events, log);
  const utils = await makeWorkerUtils({ connectionString: db.url, maxPoolSize: 2, logger: graphileLogger(log) });
  let okId = "";
  let badId = "";
  let retriedId = "";
  try {
    await utils.migrate();
    okId = (await utils.addJob("probe_ok", { jobId: "3f1c0a9e-0000-4000-8000-000000000001" })).id;
    badId = (await utils.addJob("probe_bad", {}, { maxAttempts: 1 })).id;
    retriedId = (await utils.addJob("probe_bad", {}, { maxAttempts: 5 })).id;
  } finally {
    await utils.release();
  }
  const runner = await run({
    connectionString: db.url,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 100,
    events,
    logger: graphileLogger(log),
    taskList: {
      probe_ok: async () => {
        await new Promise((r) => setTimeout(r, 20));
      },
      probe_bad: async () => {
        throw new Error("the STEP file has no shape");
      },
    },
  });
  try {
    for (let i = 0; i < 200 && lines.filter((l) => l.includes('"job ')).length < 6; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await runner.stop();
  }
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const of = (id: string) => records.filter((r) => r.job_id === id);

  const ok = of(okId);
  expect(ok.map((r) => [r.level, r.msg])).toEqual([
    ["info", "job started"],
    ["info", "job finished"],
  ]);
  expect(ok[0]).toMatchObject({
    process: "worker",
    kind: "probe_ok",
    attempt: 1,
    facet_job_id: "3f1c0a9e-0000-4000-8000-000000000001",
  });
  expect(ok[1]?.duration_ms).toBeGreaterThanOrEqual(15);

  const bad = of(badId);
  expect(bad.map((r) => [r.level, r.msg])).toEqual([
    ["info", "job started"],
    ["error", "job failed"],
  ]);
  expect(bad[1]).toMatchObject({
    kind: "probe_bad",
    will_retry: false,
    error: { message: "the STEP file has no shape" },
  });

  // graphile-worker's own messages are JSON lines too, its task lines left to ours
  expect(
    records.some((r) => r.msg === "Worker connected and looking for jobs... (task names: 'probe_ok', 'probe_bad')"),
  ).toBe(true);
  expect(records.some((r) => String(r.msg).startsWith("Failed task"))).toBe(false);

  const retried = of(retriedId);
  expect(retried[1]).toMatchObject({ level: "warn", msg: "job failed", will_retry: true, attempt: 1, max_attempts: 5 });
});
