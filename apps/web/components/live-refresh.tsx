"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef } from "react";
import { useWorkspaceEvent, useWorkspaceLive } from "./workspace-events";

/**
 * Renders the page again on the server when parts of the workspace change status (uploaded,
 * processed, pre-labelled, failed, claimed, ...) or when the event stream comes back after a drop
 * (events may have been missed). Bursts (a folder of uploads being processed) cause one refresh per
 * `intervalMs`. With `renderedAt` (the server's clock when it rendered the page), a page shown from
 * the router's cache (browser Back restores pages as they were) is rendered again at once.
 */
export function LiveRefresh({ intervalMs = 1500, renderedAt }: { intervalMs?: number; renderedAt?: number }) {
  const router = useRouter();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  const schedule = useCallback(() => {
    if (timer.current) return;
    const wait = Math.max(0, last.current + intervalMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      router.refresh();
    }, wait);
  }, [intervalMs, router]);
  useWorkspaceEvent("status", schedule);

  // a page older than a refresh interval when it appears came from the cache: it may be stale
  const shownAt = useRef(renderedAt);
  useEffect(() => {
    if (shownAt.current !== undefined && Date.now() - shownAt.current > intervalMs) router.refresh();
  }, [intervalMs, router]);

  // the stream's first connection brings nothing new; one after a drop may have missed events
  const { connected } = useWorkspaceLive();
  const link = useRef<"never" | "up" | "down">("never");
  useEffect(() => {
    if (connected) {
      if (link.current === "down") schedule();
      link.current = "up";
    } else if (link.current === "up") {
      link.current = "down";
    }
  }, [connected, schedule]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return null;
}
