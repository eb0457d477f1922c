import type { BlobStore } from "./blob-store";
import { FsBlobStore, type FsBlobStoreOptions } from "./fs-store";

// a type-only import: the AWS SDK is still loaded only when an S3 store is made
export type S3Config = Omit<import("./s3-store").S3BlobStoreOptions, "listPageSize" | "timeouts">;

export type BlobStoreConfig = ({ kind: "fs" } & FsBlobStoreOptions) | ({ kind: "s3" } & S3Config);

/** The store a runtime's configuration selects. The AWS SDK is loaded only for S3. */
export async function createBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  if (config.kind === "s3") {
    const { kind: _kind, ...options } = config;
    const { S3BlobStore } = await import("./s3-store");
    return new S3BlobStore(options);
  }
  const { kind: _kind, ...options } = config;
  return new FsBlobStore(options);
}
