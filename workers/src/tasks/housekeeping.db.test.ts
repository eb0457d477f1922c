import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey, uploadKey } from "@facet/core";
import { takeRateLimit } from "@facet/db";
import { createTestDatabase, type TestDatabase } from "@facet/db/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { housekeeping, INTERRUPTED_WRITE_MS, STALE_UPLOAD_MS } from "./housekeeping";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const WS = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("housekeeping (real database, filesystem store)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-housekeeping-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  it("removes abandoned uploads older than a day, keeps recent ones and every stored blob", async () => {
    const put = async (key: string, body: Buffer, ageMs: number) => {
      await store.put(key, Readable.from([body]), { size: body.length, sha256: sha(body) });
      const when = new Date(Date.now() - ageMs);
      await utimes(path.join(root, key), when, when);
    };
    const old = Buffer.from("abandoned two days ago");
    const fresh = Buffer.from("uploading right now");
    const stored = Buffer.from("a blob, years old");
    await put(uploadKey(WS, sha(old)), old, 2 * STALE_UPLOAD_MS);
    await put(uploadKey(WS, sha(fresh)), fresh, 60_000);
    await put(blobKey(sha(stored)), stored, 100 * STALE_UPLOAD_MS);

    const r = await housekeeping({ pool: db.owner, store });
    expect(r.staleUploads).toBe(1);
    expect(await store.head(uploadKey(WS, sha(old)))).toBeNull();
    expect(await store.head(uploadKey(WS, sha(fresh)))).not.toBeNull();
    expect(await store.head(blobKey(sha(stored)))).not.toBeNull();
  });

  it("removes the temporary files of writes that died, and leaves a write in progress alone", async () => {
    const tmp = path.join(root, ".tmp");
    // two writes whose bodies never end: their temporary files exist while they wait for bytes
    const started = [0, 1].map((i) => {
      const body = new Readable({ read() {} });
      body.push(Buffer.from(`the first bytes of write ${i}`));
      const put = store.put(blobKey("a".repeat(63) + i), body, { size: 1e6, sha256: "b".repeat(64) }).catch((e) => e);
      return { body, put };
    });
    let parts: string[] = [];
    for (let i = 0; i < 100 && parts.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      parts = (await readdir(tmp)).filter((f) => f.endsWith(".part"));
    }
    expect(parts).toHaveLength(2);
    // one of them stopped being written to two hours ago: its writer was killed
    const dead = new Date(Date.now() - 2 * INTERRUPTED_WRITE_MS);
    await utimes(path.join(tmp, parts[0] as string), dead, dead);

    const r = await housekeeping({ pool: db.owner, store });
    expect(r.interruptedWrites).toBe(1);
    expect(await readdir(tmp)).toEqual([parts[1]]);
    for (const w of started) w.body.destroy(new Error("client went away"));
    await Promise.all(started.map((w) => w.put));
    expect(await readdir(tmp)).toEqual([]);
  });

  it("forgets rate-limit keys whose budget is full again, and keeps those still counting", async () => {
    const limit = { limit: 2, periodSeconds: 3600 };
    await takeRateLimit(db.owner, "test", "spent", limit);
    await takeRateLimit(db.owner, "test", "idle", limit);
    await db.owner.query("update private.rate_limits set tat = now() - interval '1 minute' where key = 'idle'");
    const r = await housekeeping({ pool: db.owner, store });
    expect(r.rateLimits).toBe(1);
    const left = await db.owner.query("select key from private.rate_limits where bucket = 'test' order by key");
    expect(left.rows).toEqual([{ key: "spent" }]);
  });
});
