import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

/** The limits of a ZIP without its 64-bit extension (fflate writes none): files and bytes. */
export const ZIP_MAX_FILES = 65_535;
export const ZIP_MAX_BYTES = 2 ** 32 - 1;

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

/**
 * A ZIP archive written as it is made (fflate's streaming `Zip`) into a Writable, with its size and
 * SHA-256 computed on the way: memory holds one file (or one piece of a streamed file) at a time,
 * whatever the archive's size. Every entry carries the same modification time, so the same content
 * gives the same bytes (a retried export stores the same archive).
 */
export class ZipArchive implements FileSink {
  private readonly zip: Zip;
  private readonly hash = createHash("sha256");
  private bytesOut = 0;
  private files = 0;
  private open: string | null = null;
  private failure: Error | null = null;
  private ended: Promise<void>;
  private readonly paths = new Set<string>();

  constructor(
    private readonly out: Writable,
    private readonly mtime: Date,
  ) {
    let resolveEnd: () => void = () => {};
    let rejectEnd: (e: Error) => void = () => {};
    this.ended = new Promise<void>((resolve, reject) => {
      resolveEnd = resolve;
      rejectEnd = reject;
    });
    this.ended.catch(() => {}); // observed through end()
    this.zip = new Zip((err, chunk, final) => {
      if (err) {
        this.failure = err;
        rejectEnd(err);
        return;
      }
      this.hash.update(chunk);
      this.bytesOut += chunk.byteLength;
      this.out.write(chunk);
      if (final) resolveEnd();
    });
    out.on("error", (e) => {
      this.failure = e;
      rejectEnd(e);
    });
  }

  /** Wait while the Writable holds more than its high-water mark: memory stays bounded. */
  private async drained(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out.writableNeedDrain) await new Promise<void>((resolve) => this.out.once("drain", () => resolve()));
    if (this.failure) throw this.failure;
  }

  private entry(path: string, compress: boolean): ZipDeflate | ZipPassThrough {
    if (this.open) throw new Error(`cannot add ${path} while ${this.open} is being written`);
    if (this.paths.has(path)) throw new Error(`the archive already holds ${path}`);
    this.paths.add(path);
    if (++this.files > ZIP_MAX_FILES)
      throw new Error(`the archive would hold more than ${ZIP_MAX_FILES} files, the most a ZIP without ZIP64 can`);
    const e = compress ? new ZipDeflate(path, { level: 6 }) : new ZipPassThrough(path);
    e.mtime = this.mtime;
    this.zip.add(e);
    return e;
  }

  private checkSize() {
    if (this.bytesOut > ZIP_MAX_BYTES)
      throw new Error("the archive would be larger than 4 GiB, the most a ZIP without ZIP64 can hold");
  }

  async file(path: string, data: Uint8Array | string, options: { compress?: boolean } = {}): Promise<void> {
    const e = this.entry(path, options.compress ?? true);
    e.push(bytes(data), true);
    this.checkSize();
    await this.drained();
  }

  async stream(path: string, options: { compress?: boolean } = {}): Promise<FileStream> {
    const e = this.entry(path, options.compress ?? true);
    this.open = path;
    return {
      write: async (data) => {
        e.push(bytes(data), false);
        this.checkSize();
        await this.drained();
      },
      end: async () => {
        e.push(new Uint8Array(0), true);
        this.open = null;
        this.checkSize();
        await this.drained();
      },
    };
  }

  /** Write the central directory; resolves with the archive's size and SHA-256 once the Writable has it all. */
  async end(): Promise<{ size: number; sha256: string; files: number }> {
    if (this.open) throw new Error(`${this.open} was not ended`);
    this.zip.end();
    await this.ended;
    this.checkSize();
    await new Promise<void>((resolve, reject) => {
      this.out.once("error", reject);
      this.out.end(() => resolve());
    });
    return { size: this.bytesOut, sha256: this.hash.digest("hex"), files: this.files };
  }
}
