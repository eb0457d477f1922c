"use client";

import { useEffect, useState } from "react";
import { formatRelative, formatUtc } from "@/lib/time-format";

/**
 * A time: rendered in UTC on the server (so hydration matches), then relative ("5 min ago") in the
 * browser, refreshed every minute; the full local time is in the tooltip.
 */
export function Time({ iso }: { iso: string }) {
  const [text, setText] = useState(() => formatUtc(iso));
  const [title, setTitle] = useState<string | undefined>(undefined);
  useEffect(() => {
    const update = () => setText(formatRelative(iso, Date.now()));
    update();
    const d = new Date(iso);
    if (!Number.isNaN(d.getTime())) setTitle(d.toLocaleString());
    const timer = setInterval(update, 60_000);
    return () => clearInterval(timer);
  }, [iso]);
  return (
    <time dateTime={iso} title={title}>
      {text}
    </time>
  );
}
