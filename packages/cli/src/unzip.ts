import { createReadStream, createWriteStream } from "node:fs";
import { type FileHandle, mkdir, open, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, createInflateRaw, inflateRawSync } from "node:zlib";
import {
  ZIP_SIG_CENTRAL as CENTRAL,
  ZIP_SIG_END as EOCD,
  ZIP_SIG_LOCAL as LOCAL,
  ZIP_MAX32 as MAX32,
  ZIP_SIG_ZIP64_END as ZIP64_EOCD,
  ZIP64_EXTRA_ID as ZIP64_EXTRA,
  ZIP_SIG_ZIP64_LOCATOR as ZIP64_LOCATOR,
} from "@facet/core";
import { CliError } from "./http";

/**
 * Reading export archives (`facet export` downloads a zip and unpacks it): the central directory,
 * ZIP64 included (PKWARE APPNOTE.TXT 4.3.12, 4.3.14-4.3.16, 4.5.3), so an archive of more than
 * 65,535 files or 4 GiB unpacks like any other.
 */

/**
 * An archive entry's path below `out`, or an error: no absolute paths, drive letters, backslashes
 * or `..` segments (a zip must not write outside the folder it is unpacked into).
 */
export function safeEntryPath(out: string, name: string): string {
  const bad = (why: string) => new CliError("UNSAFE_ARCHIVE", `refusing the archive entry "${name}": ${why}`);
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw bad("an absolute path");
  if (name.includes("\\")) throw bad("a backslash in its path");
  if (name.includes("\0")) throw bad("a NUL in its path");
  if (name.split("/").some((s) => s === "..")) throw bad("a '..' in its path");
  const target = path.resolve(out, name);
  if (target !== out && !target.startsWith(out + path.sep)) throw bad("outside the output folder");
  return target;
}

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Where the entry's data starts (after its local header, once readZipDirectory returns). */
  localHeaderOffset: number;
}

/** Entries up to this compressed size are read and inflated in memory (one read, no streams). */
const SMALL = 1 << 20;

async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const b = Buffer.alloc(length);
  const { bytesRead } = await fh.read(b, 0, length, position);
  return b.subarray(0, bytesRead);
}

/**
 * Reads a file through a window of `size` bytes: entries visited in file order cost one read per
 * window rather than one per entry. A slice it returns stays valid (each window is a new buffer).
 */
class WindowReader {
  private start = 0;
  private buffer: Buffer = Buffer.alloc(0);
  constructor(
    private readonly fh: FileHandle,
    private readonly size = 1 << 20,
  ) {}

  /** `length` bytes at `offset`, or fewer at the end of the file. */
  async read(offset: number, length: number): Promise<Buffer> {
    const at = offset - this.start;
    if (at < 0 || at + length > this.buffer.length) {
      if (length > this.size) return readAt(this.fh, length, offset);
      this.buffer = await readAt(this.fh, this.size, offset);
      this.start = offset;
      return this.buffer.subarray(0, length);
    }
    return this.buffer.subarray(at, at + length);
  }
}

const byOffset = <T extends ZipEntry>(entries: T[]) =>
  [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);

/**
 * The entries of a zip on disk, from its central directory (sizes and offsets known before any
 * byte is unpacked; no guessing where an entry ends from signatures in its data).
 */
export async function readZipDirectory(file: string): Promise<ZipEntry[]> {
  const bad = (why: string) => new CliError("BAD_ARCHIVE", `${path.basename(file)} is not a readable zip: ${why}`);
  /** A 64-bit field as a number (exact up to 2^53, far beyond any file here). */
  const u64 = (b: Buffer, at: number, what: string) => {
    const v = b.readBigUInt64LE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${what} is out of range`);
    return Number(v);
  };
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    // the end record (22 bytes, a comment of up to 65,535), and room for the ZIP64 locator before it
    const tailLength = Math.min(size, 20 + 22 + 0xffff);
    const tail = await readAt(fh, tailLength, size - tailLength);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw bad("no end of central directory");
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) {
      // ZIP64: the locator says where the ZIP64 end record is; its 64-bit fields are the ones to use
      const recordAt = u64(tail, at - 20 + 8, "the ZIP64 end record's offset");
      const record = await readAt(fh, 56, recordAt);
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) throw bad("no ZIP64 end of central directory");
      count = u64(record, 32, "the number of entries");
      cdSize = u64(record, 40, "the central directory's size");
      cdOffset = u64(record, 48, "the central directory's offset");
    }
    if (cdOffset + cdSize > size) throw bad("the central directory lies outside the file");
    if (cdSize > 2 ** 31 - 1) throw bad("a central directory of more than 2 GiB");
    const cd = await readAt(fh, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cdSize || cd.readUInt32LE(p) !== CENTRAL) throw bad(`entry ${i + 1} of the central directory`);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const extraAt = p + 46 + nameLength;
      if (extraAt + extraLength > cdSize) throw bad(`entry ${i + 1} of the central directory`);
      const entry: ZipEntry = {
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
        name: cd.toString("utf8", p + 46, extraAt),
      };
      const wide = (["size", "compressedSize", "localHeaderOffset"] as const).filter((k) => entry[k] === MAX32);
      if (wide.length) {
        // the fields that read 0xFFFFFFFF are in the ZIP64 extra field, in this order (4.5.3)
        let x = extraAt;
        while (x + 4 <= extraAt + extraLength && cd.readUInt16LE(x) !== ZIP64_EXTRA) x += 4 + cd.readUInt16LE(x + 2);
        if (x + 4 > extraAt + extraLength || cd.readUInt16LE(x + 2) < 8 * wide.length)
          throw bad(`${entry.name} has no ZIP64 extra field for its ${wide.join(", ")}`);
        wide.forEach((k, j) => {
          entry[k] = u64(cd, x + 4 + 8 * j, `${entry.name}'s ${k}`);
        });
      }
      if (entry.method !== 0 && entry.method !== 8) throw bad(`${entry.name} uses compression method ${entry.method}`);
      entries.push(entry);
      p = extraAt + extraLength + cd.readUInt16LE(p + 32);
    }
    // where each entry's data starts: after its local header (read in file order, a window at a time)
    const window = new WindowReader(fh);
    for (const e of byOffset(entries)) {
      const local = await window.read(e.localHeaderOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw bad(`no local header for ${e.name}`);
      e.localHeaderOffset += 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (e.localHeaderOffset + e.compressedSize > size) throw bad(`${e.name} runs past the end of the file`);
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Files written to disk at once while unpacking small entries (the thread pool does the writing). */
const WRITES_IN_FLIGHT = 16;

/**
 * Unpack a zip into `out`: every entry's name is checked before anything is written, then each file
 * is inflated (small ones in memory, their CRC checked before they are written, several written at
 * once; large ones streamed to disk, then checked) and its length and CRC-32 checked.
 */
export async function unpackZip(file: string, out: string): Promise<{ files: number; bytes: number }> {
  const root = path.resolve(out);
  const entries = (await readZipDirectory(file)).map((e) => ({ ...e, target: safeEntryPath(root, e.name) }));
  const mismatch = (e: ZipEntry) =>
    new CliError("BAD_ARCHIVE", `${e.name} unpacked to bytes that do not match the archive's length and CRC`);
  const unpackError = (e: ZipEntry) => (err: Error) => {
    throw new CliError("BAD_ARCHIVE", `${e.name}: ${err.message}`);
  };
  let files = 0;
  let bytes = 0;
  const made = new Set<string>();
  const writing = new Set<Promise<void>>();
  let failure: Error | null = null;
  const fh = await open(file, "r");
  try {
    const window = new WindowReader(fh);
    for (const e of byOffset(entries)) {
      if (failure) throw failure;
      if (e.name.endsWith("/")) {
        await mkdir(e.target, { recursive: true });
        continue;
      }
      const folder = path.dirname(e.target);
      if (!made.has(folder)) {
        await mkdir(folder, { recursive: true });
        made.add(folder);
      }
      if (e.compressedSize <= SMALL && e.size <= 16 * SMALL) {
        const packed = await window.read(e.localHeaderOffset, e.compressedSize);
        let data: Buffer;
        try {
          data = e.method === 8 ? inflateRawSync(packed, { maxOutputLength: Math.max(1, e.size) }) : packed;
        } catch (err) {
          return unpackError(e)(err as Error);
        }
        if (data.length !== e.size || crc32(data) !== e.crc32) throw mismatch(e);
        const w: Promise<void> = writeFile(e.target, data)
          .catch((err: Error) => {
            failure ??= new CliError("WRITE_FAILED", `${e.target}: ${err.message}`);
          })
          .finally(() => writing.delete(w));
        writing.add(w);
        if (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
      } else {
        let crc = 0;
        let length = 0;
        const check = new Transform({
          transform(chunk: Buffer, _enc, done) {
            crc = crc32(chunk, crc);
            length += chunk.length;
            done(null, chunk);
          },
        });
        const data = createReadStream(file, {
          start: e.localHeaderOffset,
          end: e.localHeaderOffset + e.compressedSize - 1,
          highWaterMark: 1 << 20,
        });
        const sink = createWriteStream(e.target);
        await (e.method === 8 ? pipeline(data, createInflateRaw(), check, sink) : pipeline(data, check, sink)).catch(
          unpackError(e),
        );
        if (length !== e.size || crc !== e.crc32) throw mismatch(e);
      }
      files++;
      bytes += e.size;
    }
  } finally {
    await Promise.all(writing);
    await fh.close();
  }
  if (failure) throw failure;
  return { files, bytes };
}
