import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createWriteStream, openSync, writeSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  centralHeader,
  dataDescriptor,
  dosDateTime,
  endOfCentralDirectory,
  localHeader,
  MAX16,
  MAX32,
  ZipArchive,
  type ZipRecord,
} from "./archive";

/**
 * ZIP64 export archives (issue 18: a 100,000-part snapshot in a per-part format), read back by
 * readers that are not ours: Python's zipfile, Info-ZIP's `unzip -t` (when installed) and fflate.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "facet-zip64-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MTIME = new Date("2026-12-06T10:00:00Z");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const hasUnzip = spawnSync("unzip", ["-v"]).status === 0;

/** Run a Python program with arguments; its standard output (it prints what it checked). */
function python(program: string, ...args: string[]): string {
  return execFileSync("python3", ["-c", program, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
}

/** Entry i of the many-files archive: its path, its content (a function of its path), how it is written. */
const N = 100_000;
const entryPath = (i: number) => `parts/${String(i).padStart(6, "0")}.step`;
const entryText = (i: number) => `${entryPath(i)}\n`.repeat(1 + (i % 5));
const compressed = (i: number) => i % 3 !== 0;
const streamed = (i: number) => i % 10_000 === 1;

// the same rule in Python: every entry's bytes are checked against it, and the order of the names
const CHECK_MANY = `
import sys, zipfile
path, n = sys.argv[1], int(sys.argv[2])
with zipfile.ZipFile(path) as z:
    infos = z.infolist()
    assert len(infos) == n, (len(infos), n)
    for i, info in enumerate(infos):
        name = "parts/%06d.step" % i
        assert info.filename == name, (i, info.filename)
        assert info.compress_type == (zipfile.ZIP_DEFLATED if i % 3 else zipfile.ZIP_STORED), name
        assert z.read(info) == ((name + "\\n") * (1 + i % 5)).encode(), name  # zipfile checks the CRC too
        assert info.date_time == (2026, 12, 6, 10, 0, 0), info.date_time
print("checked", len(infos))
`;

describe("ZipArchive writes ZIP64 where a ZIP needs it", () => {
  it(`writes ${N.toLocaleString("en")} files (more than 65,535) that Python's zipfile, unzip -t and fflate read back, every byte`, async () => {
    const file = path.join(dir, "many.zip");
    const started = performance.now();
    const archive = new ZipArchive(createWriteStream(file), MTIME);
    for (let i = 0; i < N; i++) {
      const text = entryText(i);
      if (streamed(i)) {
        const s = await archive.stream(entryPath(i), { compress: compressed(i) });
        await s.write(text.slice(0, 7));
        await s.write(text.slice(7));
        await s.end();
      } else {
        await archive.file(entryPath(i), text, { compress: compressed(i) });
      }
    }
    const r = await archive.end();
    const ms = performance.now() - started;
    console.log(
      `[zip64] ${N} small files written in ${(ms / 1000).toFixed(2)} s (${Math.round(N / (ms / 1000))} files/s), ` +
        `${(r.size / 2 ** 20).toFixed(1)} MiB`,
    );

    const zip = await readFile(file);
    expect(r).toEqual({ size: zip.length, sha256: sha(zip), files: N });
    const t = performance.now();
    expect(python(CHECK_MANY, file, String(N)).trim()).toBe(`checked ${N}`);
    console.log(`[zip64] Python's zipfile read and checked them in ${((performance.now() - t) / 1000).toFixed(2)} s`);

    if (hasUnzip) {
      const u = spawnSync("unzip", ["-tq", file], { encoding: "utf8", maxBuffer: 1 << 26 });
      expect(u.stdout.trim()).toBe(`No errors detected in compressed data of ${file}.`);
      expect(u.status).toBe(0);
    } else console.log("[zip64] unzip is not installed: not checked with unzip -t");

    // the ZIP64 end record and its locator precede the end record; the end record's count reads 0xFFFF
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(zip.readUInt16LE(zip.length - 22 + 10)).toBe(0xffff);
    expect(zip.readUInt32LE(zip.length - 42)).toBe(0x07064b50);
    expect(zip.readUInt32LE(zip.length - 98)).toBe(0x06064b50);
    expect(Number(zip.readBigUInt64LE(zip.length - 98 + 32))).toBe(N);

    const files = unzipSync(new Uint8Array(zip));
    const names = Object.keys(files);
    expect(names.length).toBe(N);
    for (let i = 0; i < N; i++) {
      expect(names[i]).toBe(entryPath(i));
      const got = Buffer.from(files[entryPath(i)] ?? []).toString("utf8");
      if (got !== entryText(i)) expect(got).toBe(entryText(i));
    }
  }, 300_000);

  it("gives the same bytes for the same content, refuses a path twice and an entry while a stream is open", async () => {
    const write = async (file: string) => {
      const a = new ZipArchive(createWriteStream(file), MTIME);
      await a.file("README.md", "# card\n");
      const s = await a.stream("train.jsonl");
      await expect(a.file("other.txt", "x")).rejects.toThrow(/while train\.jsonl is being written/);
      await s.write('{"a":1}\n');
      await s.end();
      await a.file("ünïcode/名前.bin", new Uint8Array([1, 2, 3]), { compress: false });
      await expect(a.file("README.md", "again")).rejects.toThrow(/already holds README\.md/);
      return a.end();
    };
    const a = await write(path.join(dir, "a.zip"));
    const b = await write(path.join(dir, "b.zip"));
    expect(a).toEqual(b);
    expect((await readFile(path.join(dir, "a.zip"))).equals(await readFile(path.join(dir, "b.zip")))).toBe(true);
    expect(a.files).toBe(3);
    const names = python(
      "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint('|'.join(i.filename + '=' + z.read(i).decode('utf8', 'replace') for i in z.infolist()))",
      path.join(dir, "a.zip"),
    );
    expect(names.trim()).toBe('README.md=# card\n|train.jsonl={"a":1}\n|ünïcode/名前.bin=\u0001\u0002\u0003');
  });

  it("writes an entry over 4 GiB and entries past 4 GiB (a sparse file); Python's zipfile lists them all and reads those past 4 GiB", async () => {
    // a stored entry of 4 GiB + 64 MiB of zeros: its sizes, the next entries' offsets and the
    // central directory's offset all pass 32 bits. The zeros are not written to disk (holes in a
    // sparse file), but every byte passes through the archive's CRC-32, size and SHA-256.
    const zero = Buffer.alloc(64 << 20);
    const pieces = 65;
    const file = path.join(dir, "big.zip");
    const fd = openSync(file, "w");
    let position = 0;
    const sparse = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (chunk !== zero) writeSync(fd, chunk, 0, chunk.length, position);
        position += chunk.length;
        done();
      },
      final(done) {
        closeSync(fd);
        done();
      },
    });
    const started = performance.now();
    const archive = new ZipArchive(sparse, MTIME);
    await archive.file("before.txt", "before\n");
    const s = await archive.stream("zeros.bin", { compress: false });
    for (let i = 0; i < pieces; i++) await s.write(zero);
    await s.end();
    await archive.file("after.txt", "after\n".repeat(100));
    const after = await archive.stream("after.jsonl");
    await after.write('{"after":true}\n');
    await after.end();
    const r = await archive.end();
    const written = performance.now() - started;
    expect(r.size).toBe(position);
    expect(r.size).toBeGreaterThan(2 ** 32 + (64 << 20));
    const t = performance.now();
    const out = python(
      `
import sys, zipfile, zlib
with zipfile.ZipFile(sys.argv[1]) as z:
    i = {x.filename: x for x in z.infolist()}
    assert list(i) == ["before.txt", "zeros.bin", "after.txt", "after.jsonl"], list(i)
    assert z.read("before.txt") == b"before\\n"
    assert i["zeros.bin"].file_size == i["zeros.bin"].compress_size == int(sys.argv[2])
    assert i["after.txt"].header_offset > 2**32 and i["after.jsonl"].header_offset > 2**32
    assert z.read("after.txt") == b"after\\n" * 100
    assert z.read("after.jsonl") == b'{"after":true}\\n'
    # its CRC-32, computed here over as many zeros (reading 4 GiB back through zipfile takes 30 s)
    crc, left, zeros = 0, int(sys.argv[2]), bytes(1 << 26)
    while left:
        crc, left = zlib.crc32(zeros[:left], crc), left - min(left, len(zeros))
    with z.open("zeros.bin") as f:  # its data starts where the local header says
        assert f.read(1 << 20) == bytes(1 << 20)
    print(i["after.jsonl"].header_offset, crc == i["zeros.bin"].CRC)
`,
      file,
      String(pieces * zero.length),
    );
    const [offset, crcMatches] = out.trim().split(" ");
    expect(Number(offset)).toBeGreaterThan(2 ** 32);
    expect(crcMatches).toBe("True");
    console.log(
      `[zip64] ${(r.size / 2 ** 30).toFixed(2)} GiB archive written in ${(written / 1000).toFixed(1)} s, ` +
        `read back by Python in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }, 300_000);
});

describe("the ZIP records for values beyond 32 bits", () => {
  const { time, date } = dosDateTime(MTIME);
  const record = (o: Partial<ZipRecord>): ZipRecord => ({
    name: new TextEncoder().encode("a.bin"),
    method: 0,
    descriptor: true,
    time,
    date,
    crc: 0x12345678,
    compressedSize: 10,
    size: 10,
    offset: 0,
    ...o,
  });
  const GiB = 2 ** 30;
  /** The ZIP64 extra field of a central header of name "a.bin": its values. */
  const zip64Values = (h: Buffer) => {
    const extra = h.subarray(46 + 5, 46 + 5 + h.readUInt16LE(30));
    expect(extra.readUInt16LE(0)).toBe(1);
    expect(extra.readUInt16LE(2)).toBe(extra.length - 4);
    return Array.from({ length: (extra.length - 4) / 8 }, (_, i) => Number(extra.readBigUInt64LE(4 + 8 * i)));
  };

  it("central header: only the fields that overflow read 0xFFFFFFFF, and the extra field holds them in order", () => {
    const small = centralHeader(record({ offset: MAX32 - 1 }));
    expect(small.length).toBe(46 + 5);
    expect(small.readUInt16LE(6)).toBe(20);
    expect(small.readUInt32LE(42)).toBe(MAX32 - 1);

    const offsetOnly = centralHeader(record({ offset: 5 * GiB }));
    expect(offsetOnly.readUInt16LE(6)).toBe(45);
    expect([offsetOnly.readUInt32LE(20), offsetOnly.readUInt32LE(24), offsetOnly.readUInt32LE(42)]).toEqual([
      10,
      10,
      MAX32,
    ]);
    expect(zip64Values(offsetOnly)).toEqual([5 * GiB]);

    const all = centralHeader(record({ size: 6 * GiB, compressedSize: MAX32, offset: 7 * GiB + 3 }));
    expect([all.readUInt32LE(20), all.readUInt32LE(24), all.readUInt32LE(42)]).toEqual([MAX32, MAX32, MAX32]);
    expect(zip64Values(all)).toEqual([6 * GiB, MAX32, 7 * GiB + 3]); // uncompressed, compressed, offset
    expect(all.readUInt32LE(16)).toBe(0x12345678);
    expect(all.readUInt16LE(8)).toBe(1 << 3); // sizes in a data descriptor, ASCII name
  });

  it("local header and data descriptor: 64-bit sizes when a size does not fit 32 bits", () => {
    const streamed = localHeader(record({ size: 6 * GiB, compressedSize: 6 * GiB }));
    expect(streamed.length).toBe(30 + 5); // sizes unknown when it is written: zeros, no extra
    expect(streamed.readUInt32LE(18)).toBe(0);
    const whole = localHeader(record({ descriptor: false, size: 6 * GiB, compressedSize: 2 * GiB }));
    expect(whole.readUInt16LE(4)).toBe(45);
    expect([whole.readUInt32LE(18), whole.readUInt32LE(22)]).toEqual([MAX32, MAX32]);
    const extra = whole.subarray(35);
    expect([extra.readUInt16LE(0), extra.readUInt16LE(2)]).toEqual([1, 16]);
    expect([Number(extra.readBigUInt64LE(4)), Number(extra.readBigUInt64LE(12))]).toEqual([6 * GiB, 2 * GiB]);

    const d32 = dataDescriptor({ crc: 1, compressedSize: MAX32 - 1, size: 5 });
    expect(d32.length).toBe(16);
    expect(d32.readUInt32LE(8)).toBe(MAX32 - 1);
    const d64 = dataDescriptor({ crc: 1, compressedSize: 3, size: 5 * GiB });
    expect(d64.length).toBe(24);
    expect([d64.readUInt32LE(0), d64.readUInt32LE(4)]).toEqual([0x08074b50, 1]);
    expect([Number(d64.readBigUInt64LE(8)), Number(d64.readBigUInt64LE(16))]).toEqual([3, 5 * GiB]);
  });

  it("end records: ZIP64 end record and locator when the count, size or offset overflows", () => {
    expect(endOfCentralDirectory(MAX16 - 1, 1000, MAX32 - 1001).length).toBe(22);
    const cases: Array<[number, number, number]> = [
      [MAX16, 1000, 2000],
      [3, MAX32, 2000],
      [3, 1000, 9 * GiB],
    ];
    for (const [entries, size, offset] of cases) {
      const b = endOfCentralDirectory(entries, size, offset);
      expect(b.length).toBe(56 + 20 + 22);
      expect(b.readUInt32LE(0)).toBe(0x06064b50);
      expect(Number(b.readBigUInt64LE(4))).toBe(44);
      expect([24, 32, 40, 48].map((at) => Number(b.readBigUInt64LE(at)))).toEqual([entries, entries, size, offset]);
      expect(b.readUInt32LE(56)).toBe(0x07064b50);
      expect(Number(b.readBigUInt64LE(56 + 8))).toBe(offset + size); // right after the central directory
      expect(b.readUInt32LE(56 + 16)).toBe(1);
      const end = b.subarray(76);
      expect(end.readUInt32LE(0)).toBe(0x06054b50);
      expect([end.readUInt16LE(10), end.readUInt32LE(12), end.readUInt32LE(16)]).toEqual([
        Math.min(entries, MAX16),
        Math.min(size, MAX32),
        Math.min(offset, MAX32),
      ]);
    }
  });

  it("MS-DOS time is UTC (the same bytes on any machine's time zone)", () => {
    expect(dosDateTime(new Date("2026-12-06T10:00:58Z"))).toEqual({
      time: (10 << 11) | (0 << 5) | 29,
      date: ((2026 - 1980) << 9) | (12 << 5) | 6,
    });
    expect(dosDateTime(new Date("1970-01-01T00:00:00Z")).date >> 9).toBe(0); // clamped to 1980
  });
});
