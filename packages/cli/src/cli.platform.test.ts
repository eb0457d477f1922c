import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { CORPUS } from "@facet/geometry/testing";
import { type Platform, startPlatform } from "@facet/launcher/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FacetRun, facet } from "./testing";

/** The `facet` CLI as a person runs it, against the real platform (`npm start` on a fresh folder). */

const ADMIN = { email: "ops@example.test", password: "ops password 123" };
const json = (r: FacetRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};

/** What the corpus holds, computed here independently of the CLI. */
async function corpusFacts() {
  const files: Array<{ path: string; size: number; sha256: string }> = [];
  for (const e of await readdir(CORPUS, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(step|stp|p21)$/i.test(e.name)) {
      const p = path.join(e.parentPath, e.name);
      const bytes = await readFile(p);
      files.push({ path: p, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    }
  }
  const unique = new Map(files.map((f) => [f.sha256, f.size]));
  return { files: files.length, unique: unique.size, uniqueBytes: [...unique.values()].reduce((a, b) => a + b, 0) };
}

describe("facet CLI", () => {
  let platform: Platform;
  let configDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    configDir = await mkdtemp(path.join(os.tmpdir(), "facet-cli-config-"));
    env = { FACET_CONFIG_DIR: configDir, FACET_URL: "", FACET_API_KEY: "" };
  });
  afterAll(async () => {
    await platform?.stop();
    await rm(configDir, { recursive: true, force: true });
  });

  it("logs in with email and password and stores a key only its owner can read", async () => {
    const r = await facet(
      ["login", "--url", platform.url, "--email", ADMIN.email, "--password", ADMIN.password, "--json"],
      env,
    );
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ url: platform.url, email: ADMIN.email });
    const file = path.join(configDir, "config.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8")).key).toMatch(/^fct_/);
    const wrong = await facet(
      ["login", "--url", platform.url, "--email", ADMIN.email, "--password", "nope nope nope", "--json"],
      env,
    );
    expect(wrong.code).toBe(1);
    expect(json(wrong).error.code).toBe("INVALID_CREDENTIALS");
  });

  it("pushes the corpus, then a second push transfers nothing and creates no duplicates", async () => {
    const facts = await corpusFacts();
    expect(facts.files).toBeGreaterThan(80);
    const first = await facet(["push", CORPUS, "--dataset", "corpus", "--concurrency", "6", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    const s1 = json(first);
    expect(s1).toMatchObject({
      files: facts.files,
      new: facts.unique,
      uploaded: facts.unique,
      linked: 0,
      skipped: facts.files - facts.unique,
      failed: 0,
      bytesUploaded: facts.uniqueBytes,
    });
    expect(s1.ignored).toBeGreaterThan(0); // the .face_truth, json and licence files

    const second = await facet(["push", CORPUS, "--dataset", "corpus", "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(json(second)).toMatchObject({
      files: facts.files,
      new: 0,
      uploaded: 0,
      skipped: facts.files,
      failed: 0,
      bytesUploaded: 0,
    });

    const status = await facet(["status", "--dataset", "corpus", "--json"], env);
    const st = json(status);
    expect(st).toMatchObject({ dataset: "corpus", total: facts.unique });
    // the worker is already tessellating and pre-labelling them: every part is somewhere between uploaded and pre-labelled
    const c = st.counts as Record<string, number>;
    const early = ["uploaded", "processing", "unannotated", "pre_labeled", "failed"];
    expect(early.reduce((n, s) => n + (c[s] ?? 0), 0)).toBe(facts.unique);

    // one stored object per distinct content
    const stored = (
      await readdir(path.join(platform.dataDir, "blobs", "sha256"), { recursive: true, withFileTypes: true })
    ).filter((e) => e.isFile() && !e.name.endsWith(".sha256"));
    expect(stored).toHaveLength(facts.unique);
  }, 240_000);

  it("imports MFCAD labels: every face of all 60 parts gets exactly the label of labels.json", async () => {
    // wait for the worker to tessellate the corpus
    const deadline = Date.now() + 600_000;
    for (;;) {
      const c = json(await facet(["status", "--dataset", "corpus", "--json"], env)).counts as Record<string, number>;
      if ((c.uploaded ?? 0) + (c.processing ?? 0) === 0) {
        // every file of the corpus became a part an annotator can label
        expect(c.failed ?? 0, JSON.stringify(c)).toBe(0);
        break;
      }
      if (Date.now() > deadline) throw new Error(`still processing: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const r = await facet(
      ["import-labels", "--format", "mfcad", path.join(CORPUS, "mfcad"), "--dataset", "corpus", "--json"],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ files: 60, imported: 60, failed: 0 });

    const { key } = JSON.parse(await readFile(path.join(configDir, "config.json"), "utf8"));
    const get = async (p: string) => {
      const res = await fetch(new URL(p, platform.url), { headers: { authorization: `Bearer ${key}` } });
      return res.json() as Promise<Record<string, unknown>>;
    };
    const truth = JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
      string,
      number[]
    >;
    const mfcadClass = (n: number) => DEFAULT_TAXONOMY.crosswalks.mfcad?.classes[n]?.feature;
    const { parts } = (await get("/api/workspaces/test-shop/datasets/corpus/parts")) as {
      parts: Array<{ id: string; name: string }>;
    };
    let checked = 0;
    for (const part of parts.filter((p) => p.name.replace(/\.step$/, "") in truth)) {
      const detail = (await get(`/api/workspaces/test-shop/parts/${part.id}`)) as { urls: { faces: string } };
      const faces = (await (await fetch(detail.urls.faces)).json()) as { faces: Array<{ stepName: string }> };
      const { revision } = (await get(`/api/workspaces/test-shop/parts/${part.id}/revisions`)) as {
        revision: { source: string; document: { labels: string[] } };
      };
      expect(revision.source).toBe("import");
      const expected = faces.faces.map((f) =>
        mfcadClass((truth[part.name.replace(/\.step$/, "")] as number[])[Number(f.stepName)] as number),
      );
      expect(revision.document.labels, part.name).toEqual(expected);
      expect(revision.document.labels.every((l) => typeof l === "string")).toBe(true);
      checked++;
    }
    expect(checked).toBe(60);
  }, 900_000);

  it("reprocesses the parts of a tessellator version (backfill) without duplicating outputs or losing labels", async () => {
    const before = json(await facet(["status", "--dataset", "corpus", "--json"], env)).counts as Record<string, number>;
    const none = json(await facet(["reprocess", "--dataset", "corpus", "--json"], env)); // all are current
    expect(none.queued).toBe(0);
    const r = await facet(
      ["reprocess", "--dataset", "corpus", "--tessellator-version", String(none.tessellator), "--json"],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { queued } = json(r);
    expect(queued).toBe((before.unannotated ?? 0) + (before.pre_labeled ?? 0));
    const stored = async () =>
      (
        await readdir(path.join(platform.dataDir, "derived", "geometry"), { recursive: true, withFileTypes: true })
      ).filter((e) => e.isFile()).length;
    const outputs = await stored();
    // wait until every part's newest job has ended
    const { key } = JSON.parse(await readFile(path.join(configDir, "config.json"), "utf8"));
    const get = async (p: string) =>
      (await (await fetch(new URL(p, platform.url), { headers: { authorization: `Bearer ${key}` } })).json()) as Record<
        string,
        unknown
      >;
    const { parts } = (await get("/api/workspaces/test-shop/datasets/corpus/parts")) as {
      parts: Array<{ id: string }>;
    };
    const deadline = Date.now() + 300_000;
    for (const part of parts) {
      for (;;) {
        const { part: detail } = (await get(`/api/workspaces/test-shop/parts/${part.id}`)) as {
          part: { jobs: Array<{ status: string }> };
        };
        if (["completed", "failed"].includes(detail.jobs[0]?.status ?? "completed")) break;
        if (Date.now() > deadline) throw new Error("reprocessing did not finish");
        await new Promise((res) => setTimeout(res, 500));
      }
    }
    expect(await stored()).toBe(outputs);
    expect(json(await facet(["status", "--dataset", "corpus", "--json"], env)).counts).toEqual(before);
  }, 120_000);

  it("pushing the same content into a second dataset links it without sending bytes", async () => {
    const r = await facet(["push", path.join(CORPUS, "aagnet"), "--dataset", "aagnet copy", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ new: 4, linked: 4, uploaded: 0, bytesUploaded: 0, failed: 0 });
  });

  it("pushes to and reports on datasets whose names hold %, /, ?, #, spaces and emoji", async () => {
    const file = path.join(CORPUS, "aagnet");
    for (const name of ["50% done", "left/right", "why? because", "batch #7", "two  spaces", "bolts 🔩 ✓"]) {
      const pushed = await facet(["push", file, "--dataset", name, "--json"], env);
      expect(pushed.code, `${name}: ${pushed.stdout} ${pushed.stderr}`).toBe(0);
      expect(json(pushed), name).toMatchObject({ failed: 0 });
      const status = await facet(["status", "--dataset", name, "--json"], env);
      expect(status.code, `${name}: ${status.stdout} ${status.stderr}`).toBe(0);
      expect(json(status), name).toMatchObject({ dataset: name, total: 4 });
    }
  }, 180_000);

  it("creates scoped API keys; a key without the ingest scope cannot push", async () => {
    const created = await facet(
      ["api-key", "create", "--name", "read only", "--scope", "read", "--workspace", "test-shop", "--json"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { key } = json(created);
    expect(key).toMatch(/^fct_/);
    const listed = json(await facet(["api-key", "list", "--json"], env));
    expect(listed.some((k: { name: string }) => k.name === "read only")).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(key); // only the prefix is ever shown again

    const keyEnv = { ...env, FACET_URL: platform.url, FACET_API_KEY: key };
    const status = await facet(["status", "--dataset", "corpus", "--json"], keyEnv);
    expect(status.code).toBe(0);
    const pushed = await facet(["push", path.join(CORPUS, "aagnet"), "--dataset", "corpus", "--json"], keyEnv);
    expect(pushed.code).toBe(1);
    expect(json(pushed).error.code).toBe("SCOPE_REQUIRED");

    const revoked = await facet(["api-key", "revoke", json(created).apiKey.id], env);
    expect(revoked.code).toBe(0);
    const after = await facet(["status", "--dataset", "corpus", "--json"], keyEnv);
    expect(json(after).error.code).toBe("TOKEN_INVALID");
  });

  it("refuses uploads by an annotator (role) with a clear error", async () => {
    const { key: adminKey } = JSON.parse(await readFile(path.join(configDir, "config.json"), "utf8"));
    const call = async (method: string, p: string, body: unknown, auth?: string) => {
      const res = await fetch(new URL(p, platform.url), {
        method,
        headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const inv = await call("POST", "/api/workspaces/test-shop/invitations", { role: "annotator" }, adminKey);
    expect(inv.status).toBe(201);
    const joined = await call("POST", `/api/invitations/${inv.body.token}/accept`, {
      email: "ann@example.test",
      password: "annotator pw 1",
    });
    expect(joined.status).toBe(201);
    const token = await call("POST", "/api/auth/token", { email: "ann@example.test", password: "annotator pw 1" });
    const r = await facet(["push", path.join(CORPUS, "aagnet"), "--dataset", "corpus", "--json"], {
      ...env,
      FACET_URL: platform.url,
      FACET_API_KEY: token.body.key as string,
    });
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ code: "ROLE_REQUIRED" });

    // nor into a workspace they do not belong to
    const second = await call("POST", "/api/workspaces", { name: "Other Shop" }, adminKey);
    expect(second.status).toBe(201);
    const slug = (second.body.workspace as { slug: string }).slug;
    expect((await call("POST", `/api/workspaces/${slug}/datasets`, { name: "private" }, adminKey)).status).toBe(201);
    const foreign = await call(
      "POST",
      `/api/workspaces/${slug}/datasets/private/uploads`,
      { files: [{ name: "a.step", size: 10, sha256: "a".repeat(64) }] },
      token.body.key as string,
    );
    expect(foreign.status).toBe(403);
    expect((foreign.body.error as { code: string }).code).toBe("NOT_A_MEMBER");
    // and a dataset that is not in the workspace named is not found
    const missing = await call(
      "POST",
      "/api/workspaces/test-shop/datasets/private/uploads",
      { files: [{ name: "a.step", size: 10, sha256: "a".repeat(64) }] },
      adminKey,
    );
    expect(missing.status).toBe(404);
  });

  it("refuses a tampered upload URL and leaves nothing behind", async () => {
    const { key } = JSON.parse(await readFile(path.join(configDir, "config.json"), "utf8"));
    const bytes = Buffer.from("ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const res = await fetch(new URL("/api/workspaces/test-shop/datasets/corpus/uploads", platform.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ files: [{ name: "tiny.step", size: bytes.length, sha256 }] }),
    });
    const { files } = (await res.json()) as {
      files: Array<{ status: string; put: { url: string; headers: Record<string, string> } }>;
    };
    const url = new URL((files[0] as { put: { url: string } }).put.url);
    for (const [param, value] of [
      ["size", String(bytes.length + 1)],
      ["exp", "9999999999"],
      ["sig", "A".repeat(43)],
    ] as const) {
      const tampered = new URL(url);
      tampered.searchParams.set(param, value);
      const put = await fetch(tampered, { method: "PUT", body: bytes });
      expect(put.status, param).toBe(403);
      expect(((await put.json()) as { error: { code: string } }).error.code).toMatch(/URL_|FORBIDDEN/);
    }
    // the declared bytes must be the bytes sent
    const wrong = await fetch(url, { method: "PUT", body: Buffer.from(bytes.toString().replace("HEADER", "HEADEX")) });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const stored = await readdir(path.join(platform.dataDir, "blobs", "sha256", sha256.slice(0, 2))).catch(() => []);
    expect(stored.filter((n) => String(n).includes(sha256))).toEqual([]);
    // and the genuine URL works
    expect((await fetch(url, { method: "PUT", body: bytes })).status).toBe(201);
  });

  it("logs out: the stored key is revoked on the server and forgotten", async () => {
    const { key } = JSON.parse(await readFile(path.join(configDir, "config.json"), "utf8"));
    expect((await facet(["logout"], env)).code).toBe(0);
    const r = await facet(["status", "--dataset", "corpus", "--json"], {
      ...env,
      FACET_URL: platform.url,
      FACET_API_KEY: key,
    });
    expect(json(r).error.code).toBe("TOKEN_INVALID");
    const none = await facet(["status", "--dataset", "corpus", "--json"], env);
    expect(json(none).error.code).toBe("NOT_CONFIGURED");
  });
});
