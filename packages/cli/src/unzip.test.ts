import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readZipDirectory, safeEntryPath, unpackZip } from "./unzip";

/**
 * Unpacking export archives (`facet export`): zips made by fflate as the export worker made them, and
 * ZIP64 archives (more than 65,535 files, offsets past 4 GiB) made by another writer, Python's zipfile.
 */

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

  it("refuses a deflated file whose bytes were damaged, writing nothing for it", async () => {
    const data = Buffer.from("face,label\n".repeat(5000));
    const zip = Buffer.from(zipSync({ "b.csv": data }, { level: 6 }));
    const at = zip.indexOf("b.csv", 30) + 5 + 20; // inside the deflated data, after the local header
    zip.writeUInt8(zip.readUInt8(at) ^ 0x55, at);
    const file = path.join(dir, "bad.zip");
    await writeFile(file, zip);
    await expect(unpackZip(file, path.join(dir, "out"))).rejects.toThrow(/b\.csv/);
    expect(await files(dir)).toEqual(["bad.zip"]);
  });

  it("keeps entries inside the output folder", () => {
    const out = path.resolve(dir, "out");
    expect(safeEntryPath(out, "parts/train/x.parquet")).toBe(path.join(out, "parts/train/x.parquet"));
    expect(safeEntryPath(out, "dir/")).toBe(path.join(out, "dir"));
    expect(() => safeEntryPath(out, "a/../../b")).toThrow(/'\.\.'/);
  });
});

/** Run a Python program; its standard output as bytes. */
const python = (program: string, ...args: string[]) =>
  execFileSync("python3", ["-c", program, ...args], { maxBuffer: 1 << 28 });
/** The ZIP64 end of central directory locator sits 20 bytes before the end record (no comment). */
const isZip64 = (zip: Buffer) => zip.readUInt32LE(zip.length - 22 - 20) === 0x07064b50;

describe("unpackZip reads ZIP64 archives (made by another writer: Python's zipfile)", () => {
  it("unpacks 70,000 files (more than 65,535) with data descriptors, every byte", async () => {
    const n = 70_000;
    const name = (i: number) => `parts/${String(Math.floor(i / 1000)).padStart(3, "0")}/${i}.json`;
    const text = (i: number) => `{"part":"${name(i)}"}\n`.repeat(1 + (i % 4));
    // written to a pipe (not seekable), each entry's sizes follow it in a data descriptor, as the
    // export worker writes a streamed file; every third entry stored, the others deflated
    const zip = python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.stdout.buffer, "w") as z:
    for i in range(int(sys.argv[1])):
        name = "parts/%03d/%d.json" % (i // 1000, i)
        info = zipfile.ZipInfo(name, (2026, 12, 6, 10, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if i % 3 == 0 else zipfile.ZIP_DEFLATED
        with z.open(info, "w") as f:
            f.write(('{"part":"%s"}\\n' % name).encode() * (1 + i % 4))
`,
      String(n),
    );
    expect(isZip64(zip)).toBe(true);
    expect(zip.readUInt16LE(zip.length - 22 + 10)).toBe(0xffff); // the 16-bit count says "see ZIP64"
    const file = path.join(dir, "many.zip");
    await writeFile(file, zip);
    const out = path.join(dir, "out");
    const started = performance.now();
    const r = await unpackZip(file, out);
    console.log(`[zip64] unpacked ${n} files in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += Buffer.byteLength(text(i));
    expect(r).toEqual({ files: n, bytes });
    for (let i = 0; i < n; i++) {
      const got = await readFile(path.join(out, name(i)), "utf8");
      if (got !== text(i)) expect(got).toBe(text(i));
    }
    expect((await files(out)).length).toBe(n);
  }, 120_000);

  it("unpacks entries whose local headers and central directory lie past 4 GiB (a sparse file)", async () => {
    // 4.5 GiB of holes, then the archive: appended to a file that is not a zip, Python's zipfile
    // writes offsets from the file's start, in ZIP64 extra fields and the ZIP64 end record
    const file = path.join(dir, "far.zip");
    await truncate(await writeFile(file, "").then(() => file), 4.5 * 2 ** 30);
    const tricky = randomBytes(3_000_000); // over 1 MiB: streamed to disk from past 4 GiB, not read whole
    await writeFile(path.join(dir, "tricky.bin"), tricky);
    python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a") as z:
    t = (2026, 12, 6, 10, 0, 0)
    z.writestr(zipfile.ZipInfo("README.md", t), b"# far away\\n" * 1000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo("meshes/a.glb", t), open(sys.argv[2], "rb").read())
    assert min(i.header_offset for i in z.infolist()) > 2**32
`,
      file,
      path.join(dir, "tricky.bin"),
    );
    const entries = await readZipDirectory(file);
    expect(entries.map((e) => e.name)).toEqual(["README.md", "meshes/a.glb"]);
    for (const e of entries) expect(e.localHeaderOffset).toBeGreaterThan(2 ** 32);
    const out = path.join(dir, "out");
    expect(await unpackZip(file, out)).toEqual({ files: 2, bytes: 11 * 1000 + tricky.length });
    expect(await readFile(path.join(out, "README.md"), "utf8")).toBe("# far away\n".repeat(1000));
    expect((await readFile(path.join(out, "meshes/a.glb"))).equals(tricky)).toBe(true);
  });
});
