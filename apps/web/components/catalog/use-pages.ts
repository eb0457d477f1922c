"use client";

import { useEffect, useState } from "react";

const PREFIX = "facet.catalog.page:";

interface Before {
  /** The cursor of the page before (null: the first page). */
  cursor: string | null;
  page: number;
}

function read(key: string): Before | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(key) ?? "null") as Before | null;
    return v && typeof v.page === "number" ? v : null;
  } catch {
    return null;
  }
}

/**
 * Paging with the API's cursors, forward only by nature: each page remembers (in the tab's session
 * storage) which cursor led to the page after it, so Previous works after a reload, Back or a
 * shared link too; a page reached without that memory goes back to the first page.
 */
export function usePages(
  href: (cursor: string | null) => string,
  scope: string,
  cursor: string | null,
  nextCursor: string | null,
): { page: number | null; previousHref: string; nextHref: string } {
  const [before, setBefore] = useState<Before | null>(null);
  useEffect(() => {
    const b = cursor ? read(`${PREFIX}${scope}:${cursor}`) : null;
    setBefore(b);
    const page = cursor ? (b ? b.page + 1 : null) : 1;
    if (nextCursor && page !== null) {
      try {
        sessionStorage.setItem(`${PREFIX}${scope}:${nextCursor}`, JSON.stringify({ cursor, page } satisfies Before));
      } catch {
        // storage full or refused: Previous then leads to the first page
      }
    }
  }, [scope, cursor, nextCursor]);
  return {
    page: cursor ? (before ? before.page + 1 : null) : 1,
    previousHref: href(before?.cursor ?? null),
    nextHref: href(nextCursor),
  };
}
