import { describe, expect, it } from "vitest";
import { blobOrigins, contentSecurityPolicy } from "./security-headers";

const directives = (policy: string) =>
  new Map(policy.split("; ").map((d) => [d.split(" ")[0] as string, d.split(" ").slice(1)]));

describe("contentSecurityPolicy", () => {
  it("runs scripts only with the request's nonce: no unsafe-inline, no eval beyond WebAssembly", () => {
    const d = directives(contentSecurityPolicy({ nonce: "abc123==", connectSources: [], https: false }));
    expect(d.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'", "'wasm-unsafe-eval'"]);
    expect(d.get("script-src")).not.toContain("'unsafe-inline'");
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'none'"]);
    expect(d.has("upgrade-insecure-requests")).toBe(false);
  });

  it("lets the browser fetch blobs from the store, and upgrades requests over https", () => {
    const d = directives(
      contentSecurityPolicy({ nonce: "n", connectSources: ["https://bucket.r2.example"], https: true }),
    );
    expect(d.get("connect-src")).toEqual(["'self'", "https://bucket.r2.example"]);
    expect(d.has("upgrade-insecure-requests")).toBe(true);
  });
});

describe("blobOrigins", () => {
  const base = { S3_REGION: "auto", S3_FORCE_PATH_STYLE: "false" as const };
  it("is the public address for the filesystem store", () => {
    expect(blobOrigins({ ...base, FACET_PUBLIC_URL: "http://localhost:3000/", FACET_STORAGE: "fs" })).toEqual([
      "http://localhost:3000",
    ]);
  });
  it("adds the S3 endpoint, virtual-hosted or path-style", () => {
    const s3 = { ...base, FACET_PUBLIC_URL: "https://facet.example", FACET_STORAGE: "s3" as const, S3_BUCKET: "parts" };
    expect(blobOrigins({ ...s3, S3_ENDPOINT: "https://acc.r2.cloudflarestorage.com" })).toEqual([
      "https://facet.example",
      "https://acc.r2.cloudflarestorage.com",
      "https://parts.acc.r2.cloudflarestorage.com",
    ]);
    expect(blobOrigins({ ...s3, S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "true" })).toEqual([
      "https://facet.example",
      "http://127.0.0.1:9000",
    ]);
    expect(blobOrigins({ ...s3, S3_REGION: "eu-west-1" })).toContain("https://parts.s3.eu-west-1.amazonaws.com");
  });
});
