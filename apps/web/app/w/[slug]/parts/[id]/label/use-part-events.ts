"use client";

import { useEffect, useRef, useState } from "react";

export interface PresenceEntry {
  userId: string;
  email: string;
}

export interface PartLive {
  status: string | null;
  annotatorId: string | null;
  presence: PresenceEntry[];
  /** The newest revision someone saved, as the server announced it. */
  latestRevision: { revisionNo: number; authorId: string | null } | null;
  connected: boolean;
}

/**
 * Live state of a part over server-sent events (fed by Postgres LISTEN/NOTIFY): who has it open,
 * status changes and new revisions, without reloading. The browser's EventSource reconnects by
 * itself; the server sends the whole state again on every (re)connection.
 */
export function usePartEvents(url: string, initial: { status: string; annotatorId: string | null }): PartLive {
  const [live, setLive] = useState<PartLive>({
    status: initial.status,
    annotatorId: initial.annotatorId,
    presence: [],
    latestRevision: null,
    connected: false,
  });
  useEffect(() => {
    const source = new EventSource(url);
    const parse = (e: MessageEvent) => {
      try {
        return JSON.parse(e.data as string) as Record<string, unknown>;
      } catch {
        return null;
      }
    };
    source.addEventListener("hello", (e) => {
      const d = parse(e as MessageEvent);
      if (!d) return;
      const latest = d.latestRevision as PartLive["latestRevision"] | number | null | undefined;
      setLive({
        status: (d.status as string) ?? null,
        annotatorId: (d.annotatorId as string | null) ?? null,
        presence: (d.presence as PresenceEntry[]) ?? [],
        latestRevision: typeof latest === "number" ? { revisionNo: latest, authorId: null } : (latest ?? null),
        connected: true,
      });
    });
    source.addEventListener("presence", (e) => {
      const d = parse(e as MessageEvent);
      if (d) setLive((l) => ({ ...l, presence: (d.presence as PresenceEntry[]) ?? l.presence }));
    });
    source.addEventListener("status", (e) => {
      const d = parse(e as MessageEvent);
      if (d)
        setLive((l) => ({
          ...l,
          status: (d.status as string) ?? l.status,
          annotatorId: d.annotatorId === undefined ? l.annotatorId : (d.annotatorId as string | null),
        }));
    });
    source.addEventListener("revision", (e) => {
      const d = parse(e as MessageEvent);
      if (d && typeof d.revisionNo === "number")
        setLive((l) => ({
          ...l,
          latestRevision: { revisionNo: d.revisionNo as number, authorId: (d.authorId as string | null) ?? null },
        }));
    });
    source.onerror = () => setLive((l) => ({ ...l, connected: false }));
    return () => source.close();
  }, [url]);
  return live;
}

/**
 * Keep the claim while the page is open (renewed every two minutes); when the annotator leaves,
 * shorten it to a minute: a reload picks it up again, a closed tab gives the part back to the queue.
 */
export function useLease(url: string, holding: boolean, onLost: (message: string) => void): void {
  const lost = useRef(onLost);
  lost.current = onLost;
  useEffect(() => {
    if (!holding) return;
    const renew = async (leaseSeconds: number) => {
      const res = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ leaseSeconds }),
      }).catch(() => null);
      if (res && !res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        lost.current(body.error?.message ?? "you do not hold this part any more");
      }
    };
    void renew(900);
    const timer = setInterval(() => void renew(900), 120_000);
    const onHide = () =>
      navigator.sendBeacon(url, new Blob([JSON.stringify({ leaseSeconds: 60 })], { type: "application/json" }));
    window.addEventListener("pagehide", onHide);
    return () => {
      clearInterval(timer);
      window.removeEventListener("pagehide", onHide);
      // leaving within the app (another page of Facet) is leaving too
      onHide();
    };
  }, [url, holding]);
}
