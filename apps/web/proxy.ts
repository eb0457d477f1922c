import type { CookieOptions } from "@facet/auth";
import { type NextRequest, NextResponse } from "next/server";
import { isHttps } from "./lib/client-address";
import { context } from "./lib/context.server";
import { env } from "./lib/env.server";
import { blobOrigins, contentSecurityPolicy, STRICT_TRANSPORT_SECURITY } from "./lib/security-headers";

/** Refresh a session this long before its access token expires (requests in flight then still pass). */
const REFRESH_MARGIN_SECONDS = 30;

/**
 * Runs before every page (Node.js runtime), never before the API: Next.js buffers the body of every
 * request a proxy sees (up to 10 MB, then silently cut), which would truncate uploads and read
 * endless bodies before the routes can refuse them. Route handlers refresh sessions themselves
 * (`authenticate`), and API answers get their static policy from next.config.ts.
 * - continues a browser session whose short-lived access token has expired, from its rotating
 *   refresh token, so that the page sees a valid token (and the browser gets both new cookies);
 * - sets the Content-Security-Policy with this request's nonce (Next.js puts it on its own scripts),
 *   and Strict-Transport-Security when served over https.
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  const e = env();
  const https = isHttps(req.headers, e.FACET_TRUSTED_PROXIES, e.FACET_PUBLIC_URL);
  const requestHeaders = new Headers(req.headers);
  const written: Array<{ name: string; value: string; options: CookieOptions }> = [];

  if (!req.headers.get("authorization")) {
    const jar = {
      getAll: () => req.cookies.getAll().map((c) => ({ name: c.name, value: c.value })),
      set: (name: string, value: string, options: CookieOptions) => written.push({ name, value, options }),
    };
    const { auth } = await context();
    if (auth.shouldRefresh(jar, REFRESH_MARGIN_SECONDS)) {
      try {
        await auth.refresh(jar);
      } catch (error) {
        console.error("[proxy] could not refresh a session", error);
      }
      if (written.length > 0) {
        const cookies = new Map(req.cookies.getAll().map((c) => [c.name, c.value]));
        for (const w of written) {
          if (w.value === "" || w.options.maxAge === 0) cookies.delete(w.name);
          else cookies.set(w.name, w.value);
        }
        requestHeaders.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
      }
    }
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = contentSecurityPolicy({
    nonce,
    connectSources: blobOrigins(e),
    https,
    dev: e.NODE_ENV === "development",
  });
  // Next.js reads the nonce from the request's policy and puts it on the scripts it renders
  requestHeaders.set("content-security-policy", policy);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", policy);
  if (https) res.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  for (const w of written) res.cookies.set(w.name, w.value, { ...w.options, secure: w.options.secure || https });
  return res;
}

export const config = {
  // pages only (see above): not the API, not static files
  matcher: ["/((?!api(?:/|$)|_next/static|_next/image|favicon.ico).*)"],
};
