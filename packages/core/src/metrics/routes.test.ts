import { describe, expect, it } from "vitest";
import { routeLabel, routeMatcher, routePatternsFromFiles } from "./routes";

const FILES = [
  "page.tsx",
  "layout.tsx",
  "api/health/route.ts",
  "api/[...path]/route.ts",
  "api/blobs/[...key]/route.ts",
  "api/workspaces/route.ts",
  "api/workspaces/[ws]/parts/[partId]/route.ts",
  "api/workspaces/[ws]/parts/tags/route.ts",
  "api/workspaces/[ws]/parts/[partId]/comments/[commentId]/route.ts",
  "(marketing)/about/page.tsx",
  "w/[slug]/@modal/page.tsx",
  "w/[slug]/_components/page.tsx",
  "w/[slug]/admin/page.tsx",
  "docs/[[...slug]]/page.tsx",
];

describe("routePatternsFromFiles", () => {
  it("takes route and page files, drops route groups and slots, skips private folders", () => {
    expect(routePatternsFromFiles(FILES)).toEqual([
      "/",
      "/about",
      "/api/[...path]",
      "/api/blobs/[...key]",
      "/api/health",
      "/api/workspaces",
      "/api/workspaces/[ws]/parts/[partId]",
      "/api/workspaces/[ws]/parts/[partId]/comments/[commentId]",
      "/api/workspaces/[ws]/parts/tags",
      "/docs/[[...slug]]",
      "/w/[slug]",
      "/w/[slug]/admin",
    ]);
  });
});

describe("routeMatcher", () => {
  const match = routeMatcher(routePatternsFromFiles(FILES));
  it("labels paths by pattern, never by the ids in them", () => {
    expect(match("/api/workspaces/acme/parts/3f1c0a9e-0000-4000-8000-000000000001")).toBe(
      "/api/workspaces/[ws]/parts/[partId]",
    );
    expect(match("/api/workspaces/acme/parts/1/comments/2?x=1")).toBe(
      "/api/workspaces/[ws]/parts/[partId]/comments/[commentId]",
    );
    expect(match("/w/acme/admin/")).toBe("/w/[slug]/admin");
    expect(match("/")).toBe("/");
  });
  it("prefers a static segment to a dynamic one, and a dynamic one to a catch-all", () => {
    expect(match("/api/workspaces/acme/parts/tags")).toBe("/api/workspaces/[ws]/parts/tags");
    expect(match("/api/health")).toBe("/api/health");
    expect(match("/api/no/such/route")).toBe("/api/[...path]");
    expect(match("/api/blobs/blobs/sha256/ab/cd/abcd")).toBe("/api/blobs/[...key]");
    // a dynamic route that goes nowhere falls back to the catch-all above it
    expect(match("/api/workspaces/acme/nothing")).toBe("/api/[...path]");
  });
  it("an optional catch-all matches its folder too; nothing else matches null", () => {
    expect(match("/docs")).toBe("/docs/[[...slug]]");
    expect(match("/docs/a/b")).toBe("/docs/[[...slug]]");
    expect(match("/nowhere/at/all")).toBeNull();
    expect(routeLabel(match, "/nowhere")).toBe("unmatched");
    expect(routeLabel(match, "/_next/static/chunks/abc.js")).toBe("/_next/*");
    expect(routeLabel(match, "/api/workspaces/x/parts/y")).toBe("/api/workspaces/[ws]/parts/[partId]");
  });
});
