import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import { crc32 } from "node:zlib";
import {
  ZIP_SIG_CENTRAL as SIG_CENTRAL,
  ZIP_SIG_DESCRIPTOR as SIG_DESCRIPTOR,
  ZIP_SIG_END as SIG_END,
  ZIP_SIG_LOCAL as SIG_LOCAL,
  ZIP_SIG_ZIP64_END as SIG_ZIP64_END,
  ZIP_SIG_ZIP64_LOCATOR as SIG_ZIP64_LOCATOR,
  ZIP_MAX16,
  ZIP_MAX32,
  ZIP64_EXTRA_ID as ZIP64_EXTRA,
} from "@facet/core";
import { Deflate, deflateSync } from "fflate";

/** Where export writers put their files: whole files, or one streamed file at a time. */
export interface FileSink {
  /** A whole file. Text is stored as UTF-8; `compress: false` for data already compressed (Parquet, GLB). */
  file(path: string, data: Uint8Array | string, options?: { compress?: boolean }): Promise<void>;
  /** A file written in pieces (JSONL of a split); no other file may be added until it ends. */
  stream(path: string, options?: { compress?: boolean }): Promise<FileStream>;
}

export interface FileStream {
  write(data: Uint8Array | string): Promise<void>;
  end(): Promise<void>;
}

const encoder = new TextEncoder();
const bytes = (data: Uint8Array | string) => (typeof data === "string" ? encoder.encode(data) : data);

// ---------------------------------------------------------------------------------------------
// ZIP records (PKWARE APPNOTE.TXT 6.3.x: 4.3.7 local header, 4.3.9 data descriptor, 4.3.12 central
// directory header, 4.3.14-4.3.16 ZIP64 end records and end of central directory, 4.5.3 ZIP64
// extra field). Pure functions of their values, so the 64-bit cases can be checked without
// writing 4 GiB.
// ---------------------------------------------------------------------------------------------

export const MAX32 = ZIP_MAX32;
export const MAX16 = ZIP_MAX16;
/** Version needed to extract: 2.0 (deflate, data descriptors), 4.5 (ZIP64). */
const V20 = 20;
const V45 = 45;
/** General purpose flags: bit 3, sizes and CRC in a data descriptor; bit 11, the name is UTF-8. */
const FLAG_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;

export interface ZipRecord {
  /** The entry's path, UTF-8. */
  name: Uint8Array;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  /** Sizes and CRC follow the data in a data descriptor (a streamed entry). */
  descriptor: boolean;
  /** MS-DOS time and date (see dosDateTime). */
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  offset: number;
}

/** MS-DOS date and time of `d` in UTC (so the bytes do not depend on the machine's time zone), 2-second steps. */
export function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

const isAscii = (b: Uint8Array) => b.every((c) => c < 0x80);

function u64(b: Buffer, value: number, at: number) {
  b.writeBigUInt64LE(BigInt(value), at);
}

/** A ZIP64 extended information extra field holding `values` (those of its header that overflowed, in order). */
function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(ZIP64_EXTRA, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => {
    u64(b, v, 4 + 8 * i);
  });
  return b;
}

function flags(r: ZipRecord): number {
  return (r.descriptor ? FLAG_DESCRIPTOR : 0) | (isAscii(r.name) ? 0 : FLAG_UTF8);
}

/**
 * The local file header. A streamed entry's CRC and sizes are zero here (they follow in its data
 * descriptor); a whole file's are written, and when a size does not fit 32 bits both sizes go into a
 * ZIP64 extra field (4.5.3: the local header's extra field holds both, or neither).
 */
export function localHeader(r: ZipRecord): Buffer {
  const big = !r.descriptor && (r.size >= MAX32 || r.compressedSize >= MAX32);
  const extra = big ? zip64Extra([r.size, r.compressedSize]) : Buffer.alloc(0);
  const b = Buffer.alloc(30 + r.name.length + extra.length);
  b.writeUInt32LE(SIG_LOCAL, 0);
  b.writeUInt16LE(big ? V45 : V20, 4);
  b.writeUInt16LE(flags(r), 6);
  b.writeUInt16LE(r.method, 8);
  b.writeUInt16LE(r.time, 10);
  b.writeUInt16LE(r.date, 12);
  if (!r.descriptor) {
    b.writeUInt32LE(r.crc, 14);
    b.writeUInt32LE(big ? MAX32 : r.compressedSize, 18);
    b.writeUInt32LE(big ? MAX32 : r.size, 22);
  }
  b.writeUInt16LE(r.name.length, 26);
  b.writeUInt16LE(extra.length, 28);
  b.set(r.name, 30);
  extra.copy(b, 30 + r.name.length);
  return b;
}

/**
 * The data descriptor after a streamed entry: signature, CRC, then the sizes in 4 bytes each, or in
 * 8 bytes each when one does not fit 32 bits (4.3.9.2; as Java's ZipOutputStream and Go's archive/zip do).
 */
export function dataDescriptor(r: Pick<ZipRecord, "crc" | "compressedSize" | "size">): Buffer {
  const big = r.size >= MAX32 || r.compressedSize >= MAX32;
  const b = Buffer.alloc(big ? 24 : 16);
  b.writeUInt32LE(SIG_DESCRIPTOR, 0);
  b.writeUInt32LE(r.crc, 4);
  if (big) {
    u64(b, r.compressedSize, 8);
    u64(b, r.size, 16);
  } else {
    b.writeUInt32LE(r.compressedSize, 8);
    b.writeUInt32LE(r.size, 12);
  }
  return b;
}

/**
 * The central directory header. Each of size, compressed size and local header offset that does
 * not fit 32 bits is written as 0xFFFFFFFF and given, in that order, in a ZIP64 extra field (4.5.3).
 */
export function centralHeader(r: ZipRecord): Buffer {
  const over = [r.size, r.compressedSize, r.offset].map((v) => v >= MAX32);
  const extra = over.some(Boolean)
    ? zip64Extra([r.size, r.compressedSize, r.offset].filter((_, i) => over[i]))
    : Buffer.alloc(0);
  const version = extra.length ? V45 : V20;
  const b = Buffer.alloc(46 + r.name.length + extra.length);
  b.writeUInt32LE(SIG_CENTRAL, 0);
  b.writeUInt16LE(version, 4); // made by: MS-DOS host (0), so external attributes 0 are a plain file
  b.writeUInt16LE(version, 6);
  b.writeUInt16LE(flags(r), 8);
  b.writeUInt16LE(r.method, 10);
  b.writeUInt16LE(r.time, 12);
  b.writeUInt16LE(r.date, 14);
  b.writeUInt32LE(r.crc, 16);
  b.writeUInt32LE(over[1] ? MAX32 : r.compressedSize, 20);
  b.writeUInt32LE(over[0] ? MAX32 : r.size, 24);
  b.writeUInt16LE(r.name.length, 28);
  b.writeUInt16LE(extra.length, 30);
  // comment length, disk number start, internal and external attributes: 0
  b.writeUInt32LE(over[2] ? MAX32 : r.offset, 42);
  b.set(r.name, 46);
  extra.copy(b, 46 + r.name.length);
  return b;
}

/**
 * What follows the central directory (`entries` headers, `size` bytes from `offset`): the end of
 * central directory record, preceded, when the count does not fit 16 bits or the size or offset 32
 * bits, by the ZIP64 end of central directory record and its locator (4.3.14, 4.3.15). The fields
 * that overflow read 0xFFFF / 0xFFFFFFFF in the end record (4.4.1.4).
 */
export function endOfCentralDirectory(entries: number, size: number, offset: number): Buffer {
  const zip64 = entries >= MAX16 || size >= MAX32 || offset >= MAX32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(SIG_END, 0);
  // number of this disk, disk where the central directory starts: 0
  end.writeUInt16LE(Math.min(entries, MAX16), 8);
  end.writeUInt16LE(Math.min(entries, MAX16), 10);
  end.writeUInt32LE(Math.min(size, MAX32), 12);
  end.writeUInt32LE(Math.min(offset, MAX32), 16);
  // comment length: 0
  if (!zip64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(SIG_ZIP64_END, 0);
  u64(record, 56 - 12, 4); // size of the rest of the record
  record.writeUInt16LE(V45, 12); // made by
  record.writeUInt16LE(V45, 14); // needed
  // number of this disk, disk where the central directory starts: 0
  u64(record, entries, 24); // entries on this disk
  u64(record, entries, 32); // entries in all
  u64(record, size, 40);
  u64(record, offset, 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
  // disk holding the ZIP64 end record: 0
  u64(locator, offset + size, 8); // the ZIP64 end record follows the central directory
  locator.writeUInt32LE(1, 16); // disks in all
  return Buffer.concat([record, locator, end]);
}

// ---------------------------------------------------------------------------------------------

/** The central directory is written in pieces of about this size. */
const CENTRAL_CHUNK = 1 << 20;

/**
 * A ZIP archive written as it is made into a Writable (deflate by fflate, the records written here,
 * ZIP64 where a count, size or offset needs it), with its size and SHA-256 computed on the way:
 * memory holds one file (or one piece of a streamed file) at a time, plus the central directory
 * (about 100 bytes a file) and the set of paths. Every entry carries the same modification time,
 * so the same content gives the same bytes (a retried export stores the same archive).
 */
export class ZipArchive implements FileSink {
  private readonly hash = createHash("sha256");
  private readonly time: number;
  private readonly date: number;
  private offset = 0;
  private readonly central: Buffer[] = [];
  private centralSize = 0;
  private open: string | null = null;
  private ended = false;
  private failure: Error | null = null;
  private readonly paths = new Set<string>();

  constructor(
    private readonly out: Writable,
    mtime: Date,
  ) {
    ({ time: this.time, date: this.date } = dosDateTime(mtime));
    out.on("error", (e) => {
      this.failure = e;
    });
  }

  private emit(chunk: Uint8Array) {
    if (!chunk.byteLength) return;
    this.hash.update(chunk);
    this.offset += chunk.byteLength;
    this.out.write(chunk);
  }

  /** Wait while the Writable holds more than its high-water mark: memory stays bounded. */
  private async drained(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out.writableNeedDrain)
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off("drain", done);
          this.out.off("error", done);
          resolve();
        };
        this.out.on("drain", done);
        this.out.on("error", done);
      });
    if (this.failure) throw this.failure;
  }

  private record(path: string, compress: boolean, descriptor: boolean): ZipRecord {
    if (this.failure) throw this.failure;
    if (this.ended) throw new Error(`cannot add ${path}: the archive has ended`);
    if (this.open) throw new Error(`cannot add ${path} while ${this.open} is being written`);
    if (this.paths.has(path)) throw new Error(`the archive already holds ${path}`);
    const name = encoder.encode(path);
    if (!name.length || name.length > MAX16) throw new Error(`the archive cannot hold a file named "${path}"`);
    this.paths.add(path);
    const { time, date } = this;
    return { name, method: compress ? 8 : 0, descriptor, time, date, crc: 0, compressedSize: 0, size: 0, offset: 0 };
  }

  private close(r: ZipRecord) {
    const header = centralHeader(r);
    this.central.push(header);
    this.centralSize += header.length;
  }

  async file(path: string, data: Uint8Array | string, options: { compress?: boolean } = {}): Promise<void> {
    const r = this.record(path, options.compress ?? true, false);
    const raw = bytes(data);
    const stored = r.method === 8 ? deflateSync(raw, { level: 6 }) : raw;
    r.crc = crc32(raw);
    r.size = raw.byteLength;
    r.compressedSize = stored.byteLength;
    r.offset = this.offset;
    this.emit(localHeader(r));
    this.emit(stored);
    this.close(r);
    await this.drained();
  }

  async stream(path: string, options: { compress?: boolean } = {}): Promise<FileStream> {
    const r = this.record(path, options.compress ?? true, true);
    r.offset = this.offset;
    this.emit(localHeader(r));
    this.open = path;
    const put = (chunk: Uint8Array) => {
      r.compressedSize += chunk.byteLength;
      this.emit(chunk);
    };
    const deflate = r.method === 8 ? new Deflate({ level: 6 }, (chunk) => put(chunk)) : null;
    let done = false;
    await this.drained();
    return {
      write: async (data) => {
        if (done) throw new Error(`${path} has ended`);
        const raw = bytes(data);
        r.crc = crc32(raw, r.crc);
        r.size += raw.byteLength;
        if (deflate) deflate.push(raw, false);
        else put(raw);
        await this.drained();
      },
      end: async () => {
        if (done) throw new Error(`${path} has ended`);
        done = true;
        deflate?.push(new Uint8Array(0), true);
        this.emit(dataDescriptor(r));
        this.close(r);
        this.open = null;
        await this.drained();
      },
    };
  }

  /** Write the central directory; resolves with the archive's size and SHA-256 once the Writable has it all. */
  async end(): Promise<{ size: number; sha256: string; files: number }> {
    if (this.open) throw new Error(`${this.open} was not ended`);
    if (this.ended) throw new Error("the archive has ended");
    this.ended = true;
    const start = this.offset;
    let piece: Buffer[] = [];
    let length = 0;
    for (const header of this.central) {
      piece.push(header);
      length += header.length;
      if (length < CENTRAL_CHUNK) continue;
      this.emit(Buffer.concat(piece, length));
      await this.drained();
      piece = [];
      length = 0;
    }
    this.emit(Buffer.concat(piece, length));
    this.emit(endOfCentralDirectory(this.central.length, this.centralSize, start));
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.out.once("error", reject);
      this.out.end(() => resolve());
    });
    if (this.failure) throw this.failure;
    return { size: this.offset, sha256: this.hash.digest("hex"), files: this.central.length };
  }
}
