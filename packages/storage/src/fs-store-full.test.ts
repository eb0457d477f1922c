import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey, isAppError } from "@facet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsBlobStore } from "./fs-store";

/**
 * Issue 21, faults: the blob store's disk full, for real: a 1 MB tmpfs (root may mount one; the CI
 * machine runs as root). A write that does not fit is refused with a clear UNAVAILABLE error that
 * names no server path, leaves no temporary file, and the same write succeeds once there is room.
 */
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const dir = path.join(os.tmpdir(), `facet-full-${process.pid}`);
let mounted = false;
try {
  execFileSync("mkdir", ["-p", dir]);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { stdio: "ignore" });
  mounted = true;
} catch {
  mounted = false;
}

describe.skipIf(!mounted)("FsBlobStore on a full disk (tmpfs of 1 MB)", () => {
  const root = path.join(dir, "blobs");
  let store: FsBlobStore;
  beforeAll(async () => {
    await mkdir(root, { recursive: true });
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3000", secret: "s".repeat(40) });
  });
  afterAll(async () => {
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
      await rm(dir, { recursive: true, force: true });
    } catch {
      // still busy: the tmpfs goes with the machine; nothing of value is on it
    }
  });

  it("refuses a write that does not fit with UNAVAILABLE, no path in the message, nothing left behind; it fits once there is room", async () => {
    const filler = path.join(dir, "filler");
    await writeFile(filler, Buffer.alloc(900 * 1024, 1));
    const bytes = Buffer.alloc(300 * 1024, 7);
    const key = blobKey(sha(bytes));
    let error: unknown = null;
    try {
      await store.put(key, Readable.from([bytes]), { size: bytes.length, sha256: sha(bytes) });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe("UNAVAILABLE");
    expect((error as Error).message).toMatch(/full/);
    expect((error as Error).message).not.toContain(dir);
    expect(await store.head(key)).toBeNull();
    expect(await readdir(path.join(root, ".tmp"))).toEqual([]);

    await rm(filler);
    await store.put(key, Readable.from([bytes]), { size: bytes.length, sha256: sha(bytes) });
    expect((await store.read(key)).equals(bytes)).toBe(true);
  });
});
