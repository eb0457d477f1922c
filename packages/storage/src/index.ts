export type { BlobStore, BlobHead, HealthResult } from "./blob-store";
export { FsBlobStore } from "./fs-store";
