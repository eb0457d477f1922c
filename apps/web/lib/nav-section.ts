/**
 * Which navigation item a page belongs to. An item is current on its own page and below it; pages
 * with no item of their own belong where people reach them from: a dataset and a part to the
 * catalog, a part's workbench to the queue, its review to the review queue. The overview is current
 * only on itself (every workspace page lies below it).
 */
export function currentNavHref(path: string, base: string, hrefs: readonly string[]): string | undefined {
  const clean = path.replace(/\/+$/, "") || "/";
  if (clean === base) return hrefs.includes(base) ? base : undefined;
  const own = [...hrefs]
    .filter((h) => h !== base)
    .sort((a, b) => b.length - a.length)
    .find((h) => clean === h || clean.startsWith(`${h}/`));
  if (own) return own;
  const rest = clean.startsWith(`${base}/`) ? clean.slice(base.length) : null;
  if (rest === null) return undefined;
  const pick = (...sections: string[]) => sections.map((s) => `${base}/${s}`).find((h) => hrefs.includes(h));
  if (/^\/parts\/[^/]+\/label$/.test(rest)) return pick("queue", "catalog");
  if (/^\/parts\/[^/]+\/review$/.test(rest)) return pick("review", "catalog");
  if (/^\/(parts|datasets)\//.test(rest)) return pick("catalog");
  return undefined;
}
