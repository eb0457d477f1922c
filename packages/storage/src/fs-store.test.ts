import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey } from "@facet/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "./fs-store";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out;
}

describe("FsBlobStore", () => {
  let root: string;
  let store: FsBlobStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "facet-blobs-"));
    store = new FsBlobStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("stores, heads, reads back and deletes a verified blob", async () => {
    const body = Buffer.from("ISO-10303-21;\nHEADER;\nENDSEC;\n");
    const key = blobKey(sha(body));
    expect(await store.put(key, Readable.from([body]), { size: body.length, sha256: sha(body) })).toEqual({
      size: body.length,
      sha256: sha(body),
    });
    expect(await store.head(key)).toEqual({ size: body.length, sha256: sha(body) });
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
  });

  it("leaves nothing behind when the hash or the length does not match", async () => {
    const body = Buffer.from("some bytes");
    const key = blobKey(sha(body));
    await expect(
      store.put(key, Readable.from([body]), { size: body.length, sha256: sha(Buffer.from("other")) }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(
      store.put(key, Readable.from([body]), { size: body.length - 1, sha256: sha(body) }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(
      store.put(key, Readable.from([body]), { size: body.length + 1, sha256: sha(body) }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await filesUnder(root)).toEqual([]);
  });

  it("refuses keys that could escape the root", async () => {
    for (const key of ["../etc/passwd", "blobs/../../x", "/abs", "Blobs/X"]) {
      await expect(store.head(key)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("reports health by writing and reading a probe", async () => {
    expect(await store.health()).toMatchObject({ ok: true });
    const notADir = path.join(root, "a-file");
    await writeFile(notADir, "x");
    expect(await new FsBlobStore(path.join(notADir, "blobs")).health()).toMatchObject({ ok: false });
  });
});
