/**
 * Request paths to route patterns (`/api/workspaces/[ws]/parts/[partId]`), so that metrics are
 * labelled by route, never by the ids, slugs or names a path carries: the label's values are the
 * app's routes, a bounded set.
 */

/**
 * The URL patterns of a Next.js App Router tree, from its files' paths relative to `app/`
 * (`api/workspaces/[ws]/route.ts`, `w/[slug]/page.tsx`): route groups `(x)` and parallel slots `@x`
 * are not part of the URL; private folders `_x` hold no routes.
 */
export function routePatternsFromFiles(files: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const parts = f.split(/[\\/]/);
    const file = parts.pop() ?? "";
    if (!/^(route|page)\.(ts|tsx|js|jsx|mjs)$/.test(file)) continue;
    if (parts.some((p) => p.startsWith("_"))) continue;
    const segments = parts.filter((p) => !(p.startsWith("(") && p.endsWith(")")) && !p.startsWith("@"));
    out.add(`/${segments.join("/")}`);
  }
  return [...out].sort();
}

interface Node {
  statics: Map<string, Node>;
  dynamic: Node | null;
  /** `[...x]`: one or more segments; `[[...x]]`: zero or more. */
  catchAll: string | null;
  optionalCatchAll: string | null;
  pattern: string | null;
}

const node = (): Node => ({ statics: new Map(), dynamic: null, catchAll: null, optionalCatchAll: null, pattern: null });

/**
 * A matcher from paths to the patterns given, with Next.js' precedence: a static segment before a
 * dynamic one, a dynamic one before a catch-all. Returns null for a path no pattern matches.
 */
export function routeMatcher(patterns: readonly string[]): (pathname: string) => string | null {
  const root = node();
  for (const pattern of patterns) {
    let n = root;
    for (const seg of pattern.split("/").filter(Boolean)) {
      if (seg.startsWith("[[...")) {
        n.optionalCatchAll = pattern;
        n = node(); // nothing can follow a catch-all
        break;
      }
      if (seg.startsWith("[...")) {
        n.catchAll = pattern;
        n = node();
        break;
      }
      if (seg.startsWith("[")) {
        n.dynamic ??= node();
        n = n.dynamic;
      } else {
        let next = n.statics.get(seg);
        if (!next) {
          next = node();
          n.statics.set(seg, next);
        }
        n = next;
      }
    }
    if (!/\[(\[)?\.\.\./.test(pattern)) n.pattern = pattern;
  }
  const match = (n: Node, segs: readonly string[], i: number): string | null => {
    if (i === segs.length) return n.pattern ?? n.optionalCatchAll;
    const seg = segs[i] as string;
    const s = n.statics.get(seg);
    const viaStatic = s ? match(s, segs, i + 1) : null;
    if (viaStatic) return viaStatic;
    const viaDynamic = n.dynamic ? match(n.dynamic, segs, i + 1) : null;
    return viaDynamic ?? n.catchAll ?? n.optionalCatchAll;
  };
  return (pathname) => {
    const q = pathname.search(/[?#]/);
    const path = q >= 0 ? pathname.slice(0, q) : pathname;
    return match(root, path.split("/").filter(Boolean), 0);
  };
}

/**
 * The route label of a request path: its pattern, or a fixed name for what no pattern covers
 * (Next.js' own files under `/_next/`, anything else `unmatched`).
 */
export function routeLabel(match: (pathname: string) => string | null, pathname: string): string {
  const found = match(pathname);
  if (found) return found;
  if (pathname.startsWith("/_next/")) return "/_next/*";
  return "unmatched";
}
