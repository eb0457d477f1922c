"use client";

import { useEffect, useRef, useState } from "react";
import { api, messageOf } from "@/components/api-client";

/**
 * Follows a resource of the API (a job, an export) until `finished` says so: GET every `intervalMs`
 * while the page is open. `url` null: nothing to follow. The last value and any error (the API's
 * message) are returned; an error stops the polling.
 */
export function usePoll<T>(
  url: string | null,
  finished: (value: T) => boolean,
  intervalMs = 600,
): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const done = useRef(finished);
  done.current = finished;
  useEffect(() => {
    if (!url) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setError(null);
    const tick = async () => {
      try {
        const v = await api<T>("GET", url);
        if (stopped) return;
        setValue(v);
        if (!done.current(v)) timer = setTimeout(() => void tick(), intervalMs);
      } catch (e) {
        if (!stopped) setError(messageOf(e));
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [url, intervalMs]);
  return { value, error };
}

/** A background job as GET /api/workspaces/<ws>/jobs/<id> returns it. */
export interface JobView {
  id: string;
  kind: string;
  status: "queued" | "running" | "completed" | "failed" | "canceled";
  progress: number;
  progressMessage: string | null;
  error: string | null;
  result: unknown;
}

export const jobEnded = (status: string): boolean =>
  status === "completed" || status === "failed" || status === "canceled";
