export type { BlobHead, BlobStore, HealthResult } from "./blob-store";
export { FsBlobStore } from "./fs-store";
