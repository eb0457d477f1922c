/**
 * The security headers of every page and API answer (no framework here: the proxy sets them, a unit
 * test reads them). Scripts run only with the request's nonce (`strict-dynamic` lets them load the
 * app's chunks); no inline script runs without it, and no eval but WebAssembly's (the browser hashes
 * uploads with a WebAssembly SHA-256). Styles may be inline: React writes style attributes.
 */

export interface PolicyOptions {
  nonce: string;
  /** Origins the browser fetches from besides this one: the blob store's presigned URLs. */
  connectSources: string[];
  https: boolean;
  /** `next dev` needs eval for its error overlay. */
  dev?: boolean;
}

export function contentSecurityPolicy(o: PolicyOptions): string {
  const connect = ["'self'", ...new Set(o.connectSources)].join(" ");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${o.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(o.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** JSON answers render nothing: they may load nothing and be framed by nothing. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Two years, as browsers' preload lists ask; only ever sent over https. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/** Features Facet never uses, switched off for the page and anything it embeds. */
export const PERMISSIONS_POLICY = [
  "camera=()",
  "microphone=()",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "hid=()",
  "midi=()",
  "display-capture=()",
  "browsing-topics=()",
].join(", ");

/** The same on every answer, static files included (next.config.ts sets them). */
export const STATIC_SECURITY_HEADERS: Array<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** Where the browser fetches blobs from: the configured public address and the S3 endpoint, as origins. */
export function blobOrigins(e: {
  FACET_PUBLIC_URL: string;
  FACET_STORAGE: "fs" | "s3";
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ENDPOINT?: string | undefined;
  S3_FORCE_PATH_STYLE: "true" | "false";
}): string[] {
  const origins = [new URL(e.FACET_PUBLIC_URL).origin];
  if (e.FACET_STORAGE === "s3") {
    if (e.S3_ENDPOINT) {
      const endpoint = new URL(e.S3_ENDPOINT);
      origins.push(endpoint.origin);
      if (e.S3_FORCE_PATH_STYLE !== "true" && e.S3_BUCKET) {
        origins.push(`${endpoint.protocol}//${e.S3_BUCKET}.${endpoint.host}`);
      }
    } else if (e.S3_BUCKET) {
      origins.push(`https://${e.S3_BUCKET}.s3.${e.S3_REGION}.amazonaws.com`, `https://s3.${e.S3_REGION}.amazonaws.com`);
    }
  }
  return origins;
}
