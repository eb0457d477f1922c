import type { NextConfig } from "next";

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
    "@facet/workers",
  ],
  serverExternalPackages: ["pg", "@supabase/supabase-js", "@supabase/ssr", "@trigger.dev/sdk"],
  typescript: { ignoreBuildErrors: false },
  // no external fonts, images or analytics: Facet makes no network calls of its own
  images: { unoptimized: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default config;
