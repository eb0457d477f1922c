import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "@facet/core";
import type { BlobHead, BlobStore, HealthResult } from "./blob-store";

const KEY = /^[a-z0-9][a-z0-9/_.-]*$/;

/**
 * Blobs as files under a root folder. Writes are atomic (temporary file, fsync, rename) and
 * verified (length and SHA-256 computed while the bytes arrive), so a reader never sees a
 * partial or wrong object.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = "fs" as const;

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!KEY.test(key) || key.includes("..") || key.includes("//")) {
      throw new AppError("VALIDATION_FAILED", `invalid object key: ${JSON.stringify(key)}`);
    }
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable, expected: { size: number; sha256: string }): Promise<BlobHead> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(this.root, ".tmp", `${randomBytes(8).toString("hex")}.part`);
    await mkdir(path.dirname(tmp), { recursive: true });
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > expected.size) {
          done(new AppError("VALIDATION_FAILED", `more bytes than the declared ${expected.size}`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp, { flags: "wx" }));
      const digest = hash.digest("hex");
      if (size !== expected.size) {
        throw new AppError("VALIDATION_FAILED", `received ${size} bytes, declared ${expected.size}`);
      }
      if (digest !== expected.sha256) {
        throw new AppError("VALIDATION_FAILED", "the bytes do not match the declared SHA-256");
      }
      const fh = await open(tmp, "r");
      await fh.sync();
      await fh.close();
      await rename(tmp, target);
      await writeFile(`${target}.sha256`, digest);
      return { size, sha256: digest };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    const p = this.pathOf(key);
    try {
      const s = await stat(p);
      const sha256 = await readFile(`${p}.sha256`, "utf8").catch(() => undefined);
      return sha256 ? { size: s.size, sha256 } : { size: s.size };
    } catch {
      return null;
    }
  }

  async get(key: string): Promise<Readable> {
    const p = this.pathOf(key);
    await stat(p).catch(() => {
      throw new AppError("NOT_FOUND", `no object ${key}`);
    });
    return createReadStream(p);
  }

  async delete(key: string): Promise<void> {
    const p = this.pathOf(key);
    await rm(p, { force: true });
    await rm(`${p}.sha256`, { force: true });
  }

  async health(): Promise<HealthResult> {
    const probe = path.join(this.root, ".health", `${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await mkdir(path.dirname(probe), { recursive: true });
      await writeFile(probe, "ok");
      const back = await readFile(probe, "utf8");
      await rm(probe, { force: true });
      return back === "ok"
        ? { ok: true, detail: `filesystem ${this.root}` }
        : { ok: false, detail: "read back differs" };
    } catch (e) {
      return { ok: false, detail: `filesystem ${this.root}: ${(e as Error).message}` };
    }
  }
}
