/**
 * Where a request comes from, as far as it can be trusted. The web server in front of Next.js
 * (`apps/web/server`) drops X-Forwarded-* headers unless FACET_TRUSTED_PROXIES says proxies stand in
 * front of it, so that Next.js fills them from the connection itself; with `hops` proxies, each
 * appends the address it saw, and the client is the `hops`-th address from the right.
 * No framework here: the server and the app both use it.
 */

interface HeaderSource {
  get(name: string): string | null;
}

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

/** An IP address as written in headers (an IPv4-mapped IPv6 address as IPv4), or null. */
export function normaliseAddress(value: string | undefined | null): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.startsWith("[") && v.includes("]")) v = v.slice(1, v.indexOf("]"));
  if (v.toLowerCase().startsWith("::ffff:") && IPV4.test(v.slice(7))) v = v.slice(7);
  if (IPV4.test(v)) return v.split(".").every((n) => Number(n) <= 255) ? v : null;
  if (v.includes(":") && IPV6.test(v) && v.length <= 45) return v.toLowerCase();
  return null;
}

/** The client's address: the `max(1, hops)`-th entry from the right of X-Forwarded-For. */
export function clientAddress(headers: HeaderSource, hops: number): string | null {
  const list = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const index = list.length - Math.max(1, hops);
  return index >= 0 ? normaliseAddress(list[index]) : null;
}

/** The host the browser asked for: X-Forwarded-Host only behind a trusted proxy, else Host. */
export function requestHost(headers: HeaderSource, hops: number): string | null {
  const forwarded = hops > 0 ? headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return forwarded || headers.get("host");
}

/**
 * Whether the browser's connection is https: the configured public address is, or a trusted proxy
 * (which terminates TLS) says so. Without a proxy the web app itself serves plain http.
 */
export function isHttps(headers: HeaderSource, hops: number, publicUrl: string): boolean {
  if (publicUrl.startsWith("https:")) return true;
  if (hops === 0) return false;
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}
