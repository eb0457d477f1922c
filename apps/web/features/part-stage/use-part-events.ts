"use client";

import type { PartLiveState, PresentUser } from "@facet/db";
import { useEffect, useState } from "react";

export interface PartLive {
  status: string | null;
  annotatorId: string | null;
  presence: PresentUser[];
  /** The newest revision someone saved, as the server announced it. */
  latestRevision: Pick<NonNullable<PartLiveState["latestRevision"]>, "revisionNo" | "authorId"> | null;
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
        presence: (d.presence as PresentUser[]) ?? [],
        latestRevision: typeof latest === "number" ? { revisionNo: latest, authorId: null } : (latest ?? null),
        connected: true,
      });
    });
    source.addEventListener("presence", (e) => {
      const d = parse(e as MessageEvent);
      if (d) setLive((l) => ({ ...l, presence: (d.presence as PresentUser[]) ?? l.presence }));
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
