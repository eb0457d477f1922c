import path from "node:path";
import { z } from "zod";
import type { BlobStoreConfig } from "./from-config";

/** The storage variables every runtime that touches blobs reads (web app, worker). */
export const storageEnvShape = {
  FACET_STORAGE: z.enum(["fs", "s3"]).default("fs"),
  FACET_DATA_DIR: z.string().min(1).default(".data"),
  FACET_PUBLIC_URL: z.string().url().default("http://localhost:3000"),
  FACET_BLOB_URL_SECRET: z.string().min(32, "FACET_BLOB_URL_SECRET needs at least 32 characters").optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default("auto"),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
};

const storageEnvSchema = z.object(storageEnvShape);
type StorageEnv = z.infer<typeof storageEnvSchema>;

/** The variables a storage kind needs, named when missing (use inside a zod superRefine). */
export function missingStorageEnv(
  e: StorageEnv,
): Array<"FACET_BLOB_URL_SECRET" | "S3_BUCKET" | "S3_ACCESS_KEY_ID" | "S3_SECRET_ACCESS_KEY"> {
  if (e.FACET_STORAGE === "fs") return e.FACET_BLOB_URL_SECRET ? [] : ["FACET_BLOB_URL_SECRET"];
  return (["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const).filter((k) => !e[k]);
}

export function blobStoreConfigFromEnv(e: StorageEnv): BlobStoreConfig {
  return e.FACET_STORAGE === "s3"
    ? {
        kind: "s3",
        bucket: e.S3_BUCKET as string,
        region: e.S3_REGION,
        ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
        forcePathStyle: e.S3_FORCE_PATH_STYLE === "true",
        accessKeyId: e.S3_ACCESS_KEY_ID as string,
        secretAccessKey: e.S3_SECRET_ACCESS_KEY as string,
      }
    : {
        kind: "fs",
        // keys start with blobs/ or derived/: objects live in <data>/blobs/sha256/ab/cd/<hash>
        root: path.resolve(e.FACET_DATA_DIR),
        baseUrl: e.FACET_PUBLIC_URL,
        secret: e.FACET_BLOB_URL_SECRET as string,
      };
}
