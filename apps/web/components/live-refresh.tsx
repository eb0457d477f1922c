"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { useWorkspaceEvent } from "./workspace-events";

/**
 * Renders the page again on the server when parts of the workspace change status (uploaded,
 * processed, pre-labelled, failed, claimed, ...) or after the event stream reconnected (events may
 * have been missed). Bursts (a folder of uploads being processed) cause one refresh per `intervalMs`.
 */
export function LiveRefresh({ intervalMs = 1500 }: { intervalMs?: number }) {
  const router = useRouter();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  const hellos = useRef(0);
  const schedule = () => {
    if (timer.current) return;
    const wait = Math.max(0, last.current + intervalMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      router.refresh();
    }, wait);
  };
  useWorkspaceEvent("status", schedule);
  useWorkspaceEvent("hello", () => {
    // the first hello is the page's own state; a later one follows a reconnection
    if (hellos.current++ > 0) schedule();
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return null;
}
