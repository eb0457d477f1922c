export type {
  BlobHead,
  BlobStore,
  HealthResult,
  PresignedRequest,
  PresignGetOptions,
  PresignPutOptions,
} from "./blob-store";
export { readIfStored } from "./blob-store";
export { contentDisposition, MAX_EXPIRY_SECONDS } from "./common";
export { blobStoreConfigFromEnv, missingStorageEnv, storageEnvShape } from "./env";
export type { BlobStoreConfig, S3Config } from "./from-config";
// The S3 adapter lives at `@facet/storage/s3` so that importing this index does not load the AWS SDK.
export { createBlobStore } from "./from-config";
export type { FsBlobStoreOptions, VerifiedGet, VerifiedPut } from "./fs-store";
export { FsBlobStore, verifyPresigned } from "./fs-store";
