import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { CORPUS } from "@facet/geometry/testing";
import { type Platform, startPlatform } from "@facet/launcher/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type FacetRun, facet, storedKey, waitProcessed } from "./testing";

/**
 * `facet predict` as a script author runs it, against the real platform: MFCAD parts pushed,
 * pre-labelled, labelled and approved through the review flow, a learned pre-labeler trained on them
 * ("Train now"), then a STEP file the platform has never seen sent to it from the terminal.
 */

const ADMIN = { email: "learn@example.test", password: "learning admin pw" };
const ANNOTATOR = { email: "learner@example.test", password: "learning annotator pw" };
const DATASET = "learned";
const TRAIN = ["0-0-0-0-0-23", "0-0-10-10-12-23", "0-0-4-11-13-23", "0-0-8-8-11-23", "0-1-2-3-19", "0-1-5-5-13-23"];
/** Never uploaded: predicted from the file alone. */
const UNSEEN = "0-2-6-8-9-23";

const json = (r: FacetRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};
const feature = (n: number) => DEFAULT_TAXONOMY.crosswalks.mfcad?.classes[n]?.feature ?? null;

describe("facet predict", () => {
  let platform: Platform;
  let configDir: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let admin: ReturnType<typeof apiClient>;
  let modelVersion: string;

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    configDir = await mkdtemp(path.join(os.tmpdir(), "facet-predict-config-"));
    work = await mkdtemp(path.join(os.tmpdir(), "facet-predict-"));
    env = { FACET_CONFIG_DIR: configDir, FACET_URL: "", FACET_API_KEY: "", FACET_WORKSPACE: "" };
    const login = await facet(
      ["login", "--url", platform.url, "--email", ADMIN.email, "--password", ADMIN.password, "--json"],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    admin = apiClient(platform.url, await storedKey(configDir));
    const ws = "test-shop";

    const src = path.join(work, "src");
    await mkdir(src);
    for (const stem of TRAIN)
      await copyFile(path.join(CORPUS, "mfcad", `${stem}.step`), path.join(src, `${stem}.step`));
    const pushed = await facet(["push", src, "--dataset", DATASET, "--json"], env);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
    const counts = await waitProcessed(DATASET, env);
    expect(counts.pre_labeled, JSON.stringify(counts)).toBe(TRAIN.length);

    // learning on (no automatic training: this test asks for it)
    const on = await admin("PATCH", `/api/workspaces/${ws}/datasets/${DATASET}`, {
      learnedPrelabel: true,
      retrainAfter: 1000,
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);

    // an annotator labels every part (the rules' labels, each face confirmed), the admin approves
    const inv = await admin<{ token: string }>("POST", `/api/workspaces/${ws}/invitations`, { role: "annotator" });
    expect(inv.status).toBe(201);
    const anonymous = apiClient(platform.url, "");
    expect((await anonymous("POST", `/api/invitations/${inv.body.token}/accept`, ANNOTATOR)).status).toBe(201);
    const token = await anonymous<{ key: string }>("POST", "/api/auth/token", ANNOTATOR);
    const annotator = apiClient(platform.url, token.body.key);
    for (let i = 0; i < TRAIN.length; i++) {
      const claim = await annotator<{ part: { id: string } }>("POST", `/api/workspaces/${ws}/queue/claim`, {});
      expect(claim.status, JSON.stringify(claim.body)).toBe(200);
      const part = `/api/workspaces/${ws}/parts/${claim.body.part.id}`;
      const latest = await annotator<{
        revision: {
          revisionNo: number;
          document: { faceSignature: string; labels: string[]; instances: unknown[] };
        };
      }>("GET", `${part}/revisions`);
      const { document, revisionNo } = latest.body.revision;
      const saved = await annotator<{ revision: { revisionNo: number } }>("POST", `${part}/revisions`, {
        document: {
          schemaVersion: 1,
          faceSignature: document.faceSignature,
          faceCount: document.labels.length,
          labels: document.labels,
          instances: document.instances,
        },
        expectedRevision: revisionNo,
        faceChecks: document.labels.map(() => "confirmed"),
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      const n = saved.body.revision.revisionNo;
      expect((await annotator("POST", `${part}/submit`, { revisionNo: n })).status).toBe(200);
      const approved = await admin("POST", `${part}/review`, { decision: "approved", revisionNo: n });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    }

    // Train now, and wait for the job
    const train = await admin<{ jobId: string }>("POST", `/api/workspaces/${ws}/datasets/${DATASET}/models`);
    expect(train.status, JSON.stringify(train.body)).toBe(202);
    const deadline = Date.now() + 240_000;
    for (;;) {
      const job = await admin<{ job: { status: string; error: string | null } }>(
        "GET",
        `/api/workspaces/${ws}/jobs/${train.body.jobId}`,
      );
      if (job.body.job.status === "completed") break;
      if (job.body.job.status === "failed" || Date.now() > deadline) {
        throw new Error(
          `training ${job.body.job.status}: ${job.body.job.error}\n${platform.run.output().slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const models = await admin<{ models: Array<{ status: string; modelVersion: string }> }>(
      "GET",
      `/api/workspaces/${ws}/datasets/${DATASET}/models`,
    );
    const promoted = models.body.models.find((m) => m.status === "promoted");
    expect(promoted, JSON.stringify(models.body)).toBeDefined();
    modelVersion = promoted?.modelVersion as string;
  }, 600_000);

  afterAll(async () => {
    await platform?.stop();
    await rm(configDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it("labels every face of a STEP file it never saw, with the model version in use", async () => {
    const file = path.join(CORPUS, "mfcad", `${UNSEEN}.step`);
    const r = await facet(["predict", file, "--dataset", DATASET, "--json"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const p = json(r);
    expect(p.model).toEqual({ id: "facet-learned", version: modelVersion });
    // MFCAD's truth for this part, by the face's STEP name (the face id MFCAD writes there)
    const truth = (
      JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<string, number[]>
    )[UNSEEN] as number[];
    expect(p.faces).toHaveLength(truth.length);
    let right = 0;
    for (const f of p.faces as Array<{ index: number; label: string; confidence: number; stepName: string }>) {
      expect(f.confidence).toBeGreaterThan(0);
      expect(f.confidence).toBeLessThanOrEqual(1);
      if (f.label === feature(truth[Number(f.stepName)] as number)) right++;
    }
    // trained on a handful of parts only: not yet the rules' perfection, but better than answering the
    // part's most common class everywhere (a model that learned nothing); 8 of 19 faces when measured
    const counts = new Map<string | null, number>();
    for (const t of truth) counts.set(feature(t), (counts.get(feature(t)) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / truth.length;
    expect(right / truth.length).toBeGreaterThan(majority);
    expect(p.ms.tessellation).toBeGreaterThanOrEqual(0);

    // the readable form: a table of face, label, confidence, and which model answered
    const text = await facet(["predict", file, "--dataset", DATASET], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${truth.length} face(s) labelled by facet-learned ${modelVersion}`);
    expect(text.stdout).toMatch(/^FACE\s+LABEL\s+CONFIDENCE\s+STEP NAME$/m);
    const first = p.faces[0] as { label: string; confidence: number };
    expect(text.stdout).toMatch(new RegExp(`^0\\s+${first.label}\\s+${(first.confidence * 100).toFixed(1)}%`, "m"));
  });

  it("names the version with --model, and says which versions exist when the name is wrong", async () => {
    const file = path.join(CORPUS, "mfcad", `${UNSEEN}.step`);
    const byNumber = await facet(["predict", file, "--dataset", DATASET, "--model", "v1", "--json"], env);
    expect(byNumber.code, byNumber.stdout).toBe(0);
    expect(json(byNumber).model.version).toBe(modelVersion);
    const wrong = await facet(["predict", file, "--dataset", DATASET, "--model", "v9", "--json"], env);
    expect(wrong.code).toBe(1);
    expect(json(wrong).error.code).toBe("NOT_FOUND");
    expect(json(wrong).error.message).toContain(modelVersion);
  });

  it("refuses a file that is not STEP, and a key without the read scope", async () => {
    const notStep = path.join(work, "notes.step");
    await writeFile(notStep, "these are notes, not a STEP file\n");
    const r = await facet(["predict", notStep, "--dataset", DATASET, "--json"], env);
    expect(r.code).toBe(1);
    expect(json(r).error.code).toBe("NOT_A_STEP_FILE");

    const created = await facet(["api-key", "create", "--name", "uploads only", "--scope", "ingest", "--json"], env);
    expect(created.code, created.stdout).toBe(0);
    const file = path.join(CORPUS, "mfcad", `${UNSEEN}.step`);
    const scoped = await facet(["predict", file, "--dataset", DATASET, "--json"], {
      ...env,
      FACET_URL: platform.url,
      FACET_API_KEY: json(created).key,
    });
    expect(scoped.code).toBe(1);
    expect(json(scoped).error.code).toBe("SCOPE_REQUIRED");
  });
});
