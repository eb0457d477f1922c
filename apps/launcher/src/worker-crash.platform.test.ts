import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "@facet/db/process";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, type Platform, startPlatform, uploadToNewDataset, waitUntil } from "./testing";

/** The worker killed in the middle of a tessellation: after its restart the job completes, once. */

const ADMIN = { email: "crash@example.test", password: "crash test password" };
const BIG = path.join(CORPUS, "nist-pmi/nist_ftc_06_asme1_ap242-e1.stp");

describe("a worker killed mid-job", () => {
  let platform: Platform;
  let key: string;
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(new URL(p, platform.url), {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    key = await adminToken(platform, ADMIN);
  });
  afterAll(() => platform?.stop());

  it("is restarted by the launcher, the job runs again and completes, and exactly one set of outputs exists", async () => {
    const bytes = await readFile(BIG);
    const { partId, sha256 } = await uploadToNewDataset(platform, key, "crash", { name: "ftc06.stp", bytes });
    const detail = async () =>
      (
        (await api("GET", `/api/workspaces/test-shop/parts/${partId}`)) as {
          part: { status: string; geometry: unknown; jobs: Array<{ status: string; attempts: number }> };
        }
      ).part;

    // kill the worker while the job runs
    await waitUntil("the job to run", async () => (await detail()).jobs[0]?.status === "running", 60_000, platform.run);
    const pids = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    const worker = pids.children[0] as number;
    process.kill(worker, "SIGKILL");
    await waitUntil("the worker to be gone", () => !isProcessAlive(worker), 10_000);

    await waitUntil(
      "the part to be processed",
      // tessellated, then pre-labelled by the built-in rules (the default configuration)
      async () => (await detail()).status === "pre_labeled",
      240_000,
      platform.run,
    );
    const part = await detail();
    expect(part.geometry).not.toBeNull();
    expect(part.jobs).toHaveLength(1);
    expect(part.jobs[0]).toMatchObject({ status: "completed" });
    expect(part.jobs[0]?.attempts).toBeGreaterThanOrEqual(2);
    expect(platform.run.output()).toMatch(/\[worker\] stopped \(SIGKILL\); restarting/);
    const outputs = (
      await readdir(path.join(platform.dataDir, "derived", "geometry", sha256), {
        recursive: true,
        withFileTypes: true,
      })
    )
      .filter((e) => e.isFile() && !e.name.endsWith(".sha256"))
      .map((e) => e.name)
      .sort();
    // one set of outputs (each written once, atomically), whatever the kill interrupted
    expect(outputs).toEqual(["faces.json", "mesh.glb", "thumbnail.png"]);
  }, 400_000);
});
