import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey } from "@facet/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore, verifyPresigned } from "./fs-store";
import { collectListing } from "./testing/listing";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const SECRET = "0123456789abcdef0123456789abcdef-test";
const BASE = "http://localhost:3000";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out;
}

const collect = collectListing;

/** What the `/api/blobs/[...key]` route sees of a presigned URL: the key from the path, and the query. */
function asRequest(url: string): { key: string; params: URLSearchParams } {
  const u = new URL(url);
  expect(u.origin).toBe(BASE);
  expect(u.pathname.startsWith("/api/blobs/")).toBe(true);
  return { key: decodeURIComponent(u.pathname.slice("/api/blobs/".length)), params: u.searchParams };
}

describe("FsBlobStore", () => {
  let root: string;
  let store: FsBlobStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "facet-blobs-"));
    store = new FsBlobStore({ root, baseUrl: `${BASE}/`, secret: SECRET });
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
    expect((await filesUnder(root)).sort()).toEqual([key, `${key}.sha256`]);
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("moves a staged upload to its content address with its digest, and refuses a missing source", async () => {
    const body = Buffer.from("ISO-10303-21;\nHEADER;\nENDSEC;\n");
    const staged = `uploads/ws-1/${sha(body)}`;
    await store.put(staged, Readable.from([body]), { size: body.length, sha256: sha(body) });
    await store.move(staged, blobKey(sha(body)));
    expect(await store.head(staged)).toBeNull();
    expect(await store.head(blobKey(sha(body)))).toEqual({ size: body.length, sha256: sha(body) });
    expect((await filesUnder(root)).sort()).toEqual([blobKey(sha(body)), `${blobKey(sha(body))}.sha256`]);
    await expect(store.move(staged, blobKey(sha(body)))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("leaves nothing behind when the hash or the length does not match", async () => {
    const body = Buffer.from("some bytes");
    const key = blobKey(sha(body));
    await expect(
      store.put(key, Readable.from([body]), { size: body.length, sha256: sha(Buffer.from("other")) }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: "the bytes do not match the declared SHA-256" });
    await expect(
      store.put(key, Readable.from([body]), { size: body.length - 1, sha256: sha(body) }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(
      store.put(key, Readable.from([body]), { size: body.length + 1, sha256: sha(body) }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await filesUnder(root)).toEqual([]);
    expect(await store.head(key)).toBeNull();
  });

  it("refuses keys that could escape the root or collide with a digest sidecar", async () => {
    for (const key of ["../etc/passwd", "blobs/../../x", "/abs", "Blobs/X", "blobs/", "blobs//x", "a/b.sha256"]) {
      await expect(store.head(key)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("reports health by writing and reading a probe", async () => {
    expect(await store.health()).toMatchObject({ ok: true });
    const notADir = path.join(root, "a-file");
    await writeFile(notADir, "x");
    expect(
      await new FsBlobStore({ root: path.join(notADir, "blobs"), baseUrl: BASE, secret: SECRET }).health(),
    ).toMatchObject({ ok: false });
  });

  it("refuses a secret shorter than 32 characters and a base URL that is not http(s)", () => {
    expect(() => new FsBlobStore({ root, baseUrl: BASE, secret: "short" })).toThrow(/32 characters/);
    expect(() => new FsBlobStore({ root, baseUrl: "ftp://x", secret: SECRET })).toThrow(/http/);
    expect(() => new FsBlobStore({ root, baseUrl: "not a url", secret: SECRET })).toThrow(/not a URL/);
  });

  describe("read", () => {
    it("reads a whole object; a missing object, a folder or a bad key is refused", async () => {
      const body = Buffer.from("ISO-10303-21;\nEND-ISO-10303-21;\n");
      const key = blobKey(sha(body));
      await store.put(key, Readable.from([body]), { size: body.length, sha256: sha(body) });
      expect((await store.read(key)).equals(body)).toBe(true);
      await expect(store.read(blobKey(sha(Buffer.from("none"))))).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(store.read(key.slice(0, key.lastIndexOf("/")))).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(store.read("../outside")).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      await expect(store.read(`${key}.sha256`)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    });
  });

  describe("readRange", () => {
    const body = Buffer.from("0123456789abcdef");
    const key = blobKey(sha(body));
    beforeEach(() => store.put(key, Readable.from([body]), { size: body.length, sha256: sha(body) }));

    it("returns bytes start to end inclusive, fewer at the end of the object, none past it", async () => {
      expect((await store.readRange(key, 0, 0)).toString()).toBe("0");
      expect((await store.readRange(key, 2, 5)).toString()).toBe("2345");
      expect((await store.readRange(key, 10, 1000)).toString()).toBe("abcdef");
      expect((await store.readRange(key, 15, 15)).toString()).toBe("f");
      expect((await store.readRange(key, 16, 20)).length).toBe(0);
      // "to the end" without knowing the size: no buffer of the requested length is allocated.
      expect((await store.readRange(key, 12, Number.MAX_SAFE_INTEGER)).toString()).toBe("cdef");
    });

    it("refuses a missing object and a backwards or negative range", async () => {
      await expect(store.readRange(blobKey(sha(Buffer.from("none"))), 0, 1)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(store.readRange(key, 5, 4)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      await expect(store.readRange(key, -1, 4)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      await expect(store.readRange(key, 0.5, 4)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    });
  });

  describe("list", () => {
    it("lists keys under a prefix in lexicographic order, without temporary files, probes or sidecars", async () => {
      const bodies = ["alpha", "beta", "gamma", "delta"].map((s) => Buffer.from(s));
      for (const b of bodies) await store.put(blobKey(sha(b)), Readable.from([b]), { size: b.length, sha256: sha(b) });
      const other = Buffer.from("a mesh");
      await store.put("meshes/v1/part.glb", Readable.from([other]), { size: other.length, sha256: sha(other) });
      await store.put("meshes/v1.glb", Readable.from([other]), { size: other.length, sha256: sha(other) });
      // Leftovers that are not objects.
      await mkdir(path.join(root, ".tmp"), { recursive: true });
      await writeFile(path.join(root, ".tmp", "dead.part"), "partial");
      await mkdir(path.join(root, ".health"), { recursive: true });
      await writeFile(path.join(root, ".health", "probe"), "ok");

      const blobs = bodies
        .map((b) => ({ key: blobKey(sha(b)), size: b.length }))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const all = await collect(store.list(""));
      expect(all).toEqual([
        ...blobs,
        // "meshes/v1.glb" < "meshes/v1/part.glb" because "." < "/": the same order as S3.
        { key: "meshes/v1.glb", size: other.length },
        { key: "meshes/v1/part.glb", size: other.length },
      ]);
      expect(await collect(store.list("blobs/"))).toEqual(blobs);
      expect(await collect(store.list("blobs/sha256"))).toEqual(blobs);
      // A prefix is a plain string prefix, not a folder.
      const first = blobs[0]!.key;
      const partial = first.slice(0, "blobs/sha256/".length + 1);
      expect(await collect(store.list(partial))).toEqual(blobs.filter((b) => b.key.startsWith(partial)));
      expect(await collect(store.list(first))).toEqual([blobs[0]]);
      expect(await collect(store.list("meshes/v1"))).toHaveLength(2);
      expect(await collect(store.list("meshes/v1/"))).toEqual([{ key: "meshes/v1/part.glb", size: other.length }]);
      expect(await collect(store.list("nothing/here/"))).toEqual([]);
      await expect(collect(store.list("../"))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    });
  });

  describe("presigned URLs", () => {
    const body = Buffer.from("ISO-10303-21;\nDATA;\nENDSEC;\n");
    const hash = sha(body);
    const key = blobKey(hash);

    it("signs a PUT URL to the web app that verifies to the declared size and hash", async () => {
      const req = await store.presignPut(key, { size: body.length, sha256: hash, expiresInSeconds: 300 });
      expect(req.method).toBe("PUT");
      expect(req.headers).toEqual({});
      expect(req.url.startsWith(`${BASE}/api/blobs/${key}?`)).toBe(true);
      const expSeconds = Math.floor(Date.now() / 1000) + 300;
      expect(Math.abs(req.expiresAt.getTime() / 1000 - expSeconds)).toBeLessThanOrEqual(1);

      const { key: k, params } = asRequest(req.url);
      expect(k).toBe(key);
      const grant = store.verifyPresigned("PUT", k, params);
      expect(grant).toEqual({ method: "PUT", size: body.length, sha256: hash, expiresAt: req.expiresAt });
      // The standalone function with the same secret agrees; another secret does not.
      expect(verifyPresigned(SECRET, "PUT", k, params)).toEqual(grant);
      expect(() => verifyPresigned(`${SECRET}-rotated`, "PUT", k, params)).toThrow("this upload URL is not valid");

      // What the route then does with the grant.
      expect(await store.put(k, Readable.from([body]), grant)).toEqual({ size: body.length, sha256: hash });
      expect(await store.head(key)).toEqual({ size: body.length, sha256: hash });
    });

    it("signs a GET URL with or without a download name", async () => {
      const plain = await store.presignGet(key, { expiresInSeconds: 60 });
      expect(plain.method).toBe("GET");
      const a = asRequest(plain.url);
      expect(store.verifyPresigned("GET", a.key, a.params)).toEqual({ method: "GET", expiresAt: plain.expiresAt });

      const named = await store.presignGet(key, { expiresInSeconds: 60, downloadName: 'bracket "v2" – é.step' });
      const b = asRequest(named.url);
      expect(store.verifyPresigned("get", b.key, b.params)).toEqual({
        method: "GET",
        downloadName: 'bracket "v2" – é.step',
        expiresAt: named.expiresAt,
      });
    });

    it("refuses an expired URL with a clear message, and accepts it until then", async () => {
      const put = await store.presignPut(key, { size: body.length, sha256: hash, expiresInSeconds: 60 });
      const p = asRequest(put.url);
      const justBefore = new Date(put.expiresAt.getTime() - 1000);
      expect(store.verifyPresigned("PUT", p.key, p.params, justBefore)).toMatchObject({ size: body.length });
      for (const now of [put.expiresAt, new Date(put.expiresAt.getTime() + 3_600_000)]) {
        expect(() => store.verifyPresigned("PUT", p.key, p.params, now)).toThrow(
          expect.objectContaining({
            code: "FORBIDDEN",
            message: "this upload URL has expired",
            details: { reason: "expired", expiresAt: put.expiresAt.toISOString() },
          }),
        );
      }
      const get = await store.presignGet(key, { expiresInSeconds: 60 });
      const g = asRequest(get.url);
      expect(() => store.verifyPresigned("GET", g.key, g.params, get.expiresAt)).toThrow(
        "this download URL has expired",
      );
    });

    it("refuses a PUT URL when any signed field, the signature or the method is changed", async () => {
      const put = await store.presignPut(key, { size: body.length, sha256: hash, expiresInSeconds: 300 });
      const { key: k, params } = asRequest(put.url);
      const changed = (name: string, value: string) => {
        const p = new URLSearchParams(params);
        p.set(name, value);
        return p;
      };
      const sig = params.get("sig")!;
      const flipped = `${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`;
      const added = new URLSearchParams(params);
      added.append("size", "1");
      const named = new URLSearchParams(params);
      named.set("name", "x.step");
      const cases: [string, string, URLSearchParams][] = [
        ["key", blobKey(sha(Buffer.from("another part"))), params],
        ["size", k, changed("size", String(body.length + 1))],
        ["size (0)", k, changed("size", "0")],
        ["sha256", k, changed("sha256", sha(Buffer.from("other bytes")))],
        ["exp", k, changed("exp", String(Number(params.get("exp")) + 3600))],
        ["sig", k, changed("sig", flipped)],
        [
          "sig (missing)",
          k,
          (() => {
            const p = new URLSearchParams(params);
            p.delete("sig");
            return p;
          })(),
        ],
        ["sig (longer)", k, changed("sig", `${sig}A`)],
        ["duplicate field", k, added],
        ["added name", k, named],
      ];
      for (const [what, kk, p] of cases) {
        expect(() => store.verifyPresigned("PUT", kk, p), what).toThrow(
          expect.objectContaining({
            code: "FORBIDDEN",
            message: "this upload URL is not valid",
            details: { reason: "invalid" },
          }),
        );
      }
      // The same URL used for another method.
      expect(() => store.verifyPresigned("GET", k, params)).toThrow(
        expect.objectContaining({ code: "FORBIDDEN", message: "this download URL is not valid" }),
      );
      expect(() => store.verifyPresigned("DELETE", k, params)).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
      // Untouched, it still passes: the refusals above come from the changes.
      expect(store.verifyPresigned("PUT", k, params)).toMatchObject({ size: body.length, sha256: hash });
    });

    it("refuses a GET URL when its key, expiry, name, signature or method is changed", async () => {
      const get = await store.presignGet(key, { expiresInSeconds: 300, downloadName: "part.step" });
      const { key: k, params } = asRequest(get.url);
      const changed = (name: string, value: string | null) => {
        const p = new URLSearchParams(params);
        if (value === null) p.delete(name);
        else p.set(name, value);
        return p;
      };
      const cases: [string, string, URLSearchParams][] = [
        ["key", blobKey(sha(Buffer.from("x"))), params],
        ["exp", k, changed("exp", String(Number(params.get("exp")) + 1))],
        ["name", k, changed("name", "evil.exe")],
        ["name removed", k, changed("name", null)],
        [
          "sig",
          k,
          changed(
            "sig",
            params.get("sig")!.replace(/^./, (c) => (c === "a" ? "b" : "a")),
          ),
        ],
      ];
      for (const [what, kk, p] of cases) {
        expect(() => store.verifyPresigned("GET", kk, p), what).toThrow("this download URL is not valid");
      }
      const plain = asRequest((await store.presignGet(key, { expiresInSeconds: 300 })).url);
      plain.params.set("name", "added.step");
      expect(() => store.verifyPresigned("GET", plain.key, plain.params)).toThrow("this download URL is not valid");
      expect(() => store.verifyPresigned("PUT", k, params)).toThrow("this upload URL is not valid");
      expect(store.verifyPresigned("GET", k, params)).toMatchObject({ downloadName: "part.step" });
    });

    it("refuses to sign an invalid key, hash, size, expiry or download name", async () => {
      const ok = { size: 1, sha256: hash, expiresInSeconds: 60 };
      const bad = [
        store.presignPut("../x", ok),
        store.presignPut(key, { ...ok, sha256: hash.toUpperCase() }),
        store.presignPut(key, { ...ok, size: -1 }),
        store.presignPut(key, { ...ok, size: 1.5 }),
        store.presignPut(key, { ...ok, expiresInSeconds: 0 }),
        store.presignPut(key, { ...ok, expiresInSeconds: 8 * 24 * 3600 }),
        store.presignGet(key, { expiresInSeconds: 60, downloadName: "a\r\nSet-Cookie: x" }),
        store.presignGet(key, { expiresInSeconds: 60, downloadName: "" }),
      ];
      for (const p of bad) await expect(p).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    });
  });
});
