import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readZipDirectory, safeEntryPath, unpackZip } from "./unzip";

/** Unpacking export archives (`facet export`): zips made by fflate as the export worker makes them. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "facet-unzip-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A streamed zip (data descriptors, sizes unknown in the local headers), as workers/src/export/archive.ts writes. */
function streamedZip(files: Array<{ name: string; data: Uint8Array; compress: boolean }>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    const zip = new Zip((err, chunk, final) => {
      if (err) return reject(err);
      chunks.push(chunk);
      if (final) resolve(Buffer.concat(chunks));
    });
    for (const f of files) {
      const e = f.compress ? new ZipDeflate(f.name, { level: 6 }) : new ZipPassThrough(f.name);
      zip.add(e);
      // in pieces, as a streamed JSONL file is
      e.push(f.data.subarray(0, Math.floor(f.data.length / 2)), false);
      e.push(f.data.subarray(Math.floor(f.data.length / 2)), true);
    }
    zip.end();
  });
}

const files = async (root: string) =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();

describe("unpackZip", () => {
  it("unpacks stored, deflated, empty and nested files byte for byte, even when their data holds zip signatures", async () => {
    // random bytes with the data-descriptor and central-directory signatures inside: found by a
    // signature scan, they would cut the file short; the central directory knows each length
    const tricky = Buffer.concat([
      randomBytes(5000),
      Buffer.from([0x50, 0x4b, 0x07, 0x08]),
      randomBytes(3000),
      Buffer.from([0x50, 0x4b, 0x01, 0x02]),
      randomBytes(2000),
    ]);
    const text = Buffer.from("# Dataset card\n".repeat(2000));
    const zip = await streamedZip([
      { name: "README.md", data: text, compress: true },
      { name: "parts/train/parts-00000.parquet", data: tricky, compress: false },
      { name: "faces/train/faces-00000.parquet", data: tricky, compress: true },
      { name: "empty.txt", data: new Uint8Array(0), compress: true },
      { name: "stored-empty.txt", data: new Uint8Array(0), compress: false },
    ]);
    const file = path.join(dir, "a.zip");
    await writeFile(file, zip);
    const out = path.join(dir, "out");
    const r = await unpackZip(file, out);
    expect(r).toEqual({ files: 5, bytes: text.length + 2 * tricky.length });
    expect(await files(out)).toEqual(
      [
        "README.md",
        "empty.txt",
        "faces/train/faces-00000.parquet",
        "parts/train/parts-00000.parquet",
        "stored-empty.txt",
      ].sort(),
    );
    expect((await readFile(path.join(out, "README.md"))).equals(text)).toBe(true);
    expect((await readFile(path.join(out, "parts/train/parts-00000.parquet"))).equals(tricky)).toBe(true);
    expect((await readFile(path.join(out, "faces/train/faces-00000.parquet"))).equals(tricky)).toBe(true);
    expect((await readFile(path.join(out, "empty.txt"))).length).toBe(0);
  });

  it.each([
    ["../escape.txt", "'..'"],
    ["a/../../escape.txt", "'..'"],
    ["/etc/escape.txt", "absolute"],
    ["C:/escape.txt", "absolute"],
    ["a\\..\\escape.txt", "backslash"],
  ])("refuses the entry %s before writing anything", async (name, why) => {
    const file = path.join(dir, "evil.zip");
    await writeFile(file, zipSync({ "first.txt": Buffer.from("harmless"), [name]: Buffer.from("evil") }));
    const out = path.join(dir, "out");
    await expect(unpackZip(file, out)).rejects.toThrow(new RegExp(`refusing the archive entry .*${why}`));
    expect(await files(dir)).toEqual(["evil.zip"]); // not even first.txt, and nothing outside
  });

  it("refuses a damaged archive: a file whose bytes no longer match its CRC, a truncated zip", async () => {
    const data = Buffer.from("label,face\n".repeat(500));
    const zip = Buffer.from(zipSync({ "a.csv": data }, { level: 0 }));
    const at = zip.indexOf(data.subarray(0, 20));
    zip.writeUInt8(zip.readUInt8(at + 100) ^ 0xff, at + 100);
    const file = path.join(dir, "bad.zip");
    await writeFile(file, zip);
    await expect(unpackZip(file, path.join(dir, "out"))).rejects.toThrow(/a\.csv unpacked to bytes that do not match/);
    await writeFile(file, zip.subarray(0, zip.length - 30));
    await expect(readZipDirectory(file)).rejects.toThrow(/not a readable zip/);
  });

  it("keeps entries inside the output folder", () => {
    const out = path.resolve(dir, "out");
    expect(safeEntryPath(out, "parts/train/x.parquet")).toBe(path.join(out, "parts/train/x.parquet"));
    expect(safeEntryPath(out, "dir/")).toBe(path.join(out, "dir"));
    expect(() => safeEntryPath(out, "a/../../b")).toThrow(/'\.\.'/);
  });
});
