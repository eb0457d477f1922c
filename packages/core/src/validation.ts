import { z } from "zod";

/**
 * Whether `text` is well-formed Unicode: no UTF-16 surrogate outside a pair. JSON and JavaScript
 * allow a lone one; UTF-8 cannot encode it (PostgreSQL's json refuses it, its text stores U+FFFD).
 */
export function isWellFormedText(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/**
 * At most `max` UTF-16 units of `text`, with every lone surrogate (one cut from its pair, or sent
 * alone) replaced by U+FFFD: what UTF-8, and so PostgreSQL, can hold. For echoing or recording
 * what a caller sent that was refused (validated text is refused when it is not well-formed).
 */
export function wellFormedPrefix(text: string, max = Number.POSITIVE_INFINITY): string {
  return text.slice(0, max).replace(/\p{Cs}/gu, "\uFFFD");
}

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "enter a valid email address" }));

export const passwordSchema = z
  .string()
  .min(10, "passwords need at least 10 characters")
  .max(200, "passwords are at most 200 characters");

export const workspaceNameSchema = z.string().trim().min(1, "a name is required").max(80);

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, "lowercase letters, digits and dashes, at most 48");

export const uuidSchema = z.uuid();

export function slugify(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
  return s || "workspace";
}

/**
 * Where to send the browser after signing in: a path of this site, or `fallback`. Refuses what a
 * browser would read as another origin (`//evil`, `/\\evil`, `/%5Cevil` once decoded, schemes) and
 * control characters; returns the path normalised as the URL parser sees it.
 */
export function safeRedirectPath(next: unknown, fallback = "/"): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return fallback;
  if (!next.startsWith("/") || next.includes("\\") || /\p{Cc}/u.test(next)) return fallback;
  let decoded = next;
  try {
    // a path decoded once more must still be a path of this site (some servers and proxies decode)
    decoded = decodeURIComponent(next);
  } catch {
    return fallback;
  }
  if (/^\/[\\/]/.test(decoded) || /\p{Cc}/u.test(decoded)) return fallback;
  const base = "http://facet.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base || next.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
