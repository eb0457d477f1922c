import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./lib/security-headers";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: [
    "@facet/core",
    "@facet/db",
    "@facet/auth",
    "@facet/storage",
    "@facet/viewer",
    "@facet/geometry",
    "@facet/prelabel",
    "@facet/jobs",
  ],
  serverExternalPackages: ["pg", "@supabase/supabase-js", "@supabase/ssr", "@trigger.dev/sdk"],
  typescript: { ignoreBuildErrors: false },
  // no external fonts, images or analytics: Facet makes no network calls of its own
  images: { unoptimized: true },
  async headers() {
    return [
      {
        source: "/:path*",
        // the page-specific ones (Content-Security-Policy with its nonce, HSTS over https): proxy.ts
        headers: STATIC_SECURITY_HEADERS,
      },
      {
        // JSON and blobs render nothing (the proxy, which sets pages' policies, does not run for the API)
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }],
      },
    ];
  },
};

export default config;
