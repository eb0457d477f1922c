"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

/**
 * Live updates of a workspace for every page of it: ONE EventSource per page to
 * `/api/workspaces/<slug>/events` (server-sent events fed by Postgres LISTEN/NOTIFY), shared by
 * the components that listen (`useWorkspaceEvent`). Events: `hello` {counts, unread} on every
 * (re)connection, `status` {partId, status, counts}, `activity` {partId}, `comment` {partId,
 * commentId, op} and `notification` {partId, unread} (the caller's own). The browser reconnects by
 * itself; the provider also keeps the part counts and the unread count (`useWorkspaceLive`).
 */

type Handler = (data: unknown) => void;

interface EventsHub {
  subscribe(name: string, handler: Handler): () => void;
}

export type PartCounts = Record<string, number>;

export interface WorkspaceLive {
  /** Parts per status (all statuses of the workspace). */
  counts: PartCounts;
  /** The caller's unread notifications. */
  unread: number;
  connected: boolean;
  /** Set the unread count after marking notifications read here (the server sends no event for it). */
  setUnread: (n: number) => void;
}

const KNOWN_EVENTS = ["hello", "status", "activity", "comment", "notification"];

const HubContext = createContext<EventsHub | null>(null);
const LiveContext = createContext<WorkspaceLive>({ counts: {}, unread: 0, connected: false, setUnread: () => {} });

function parse(e: Event): unknown {
  try {
    return JSON.parse((e as MessageEvent).data as string) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function countsOf(v: unknown): PartCounts | null {
  if (!isRecord(v)) return null;
  const out: PartCounts = {};
  for (const [k, n] of Object.entries(v)) if (typeof n === "number") out[k] = n;
  return out;
}

export function WorkspaceEventsProvider({
  slug,
  initialCounts,
  initialUnread,
  children,
}: {
  slug: string;
  initialCounts: PartCounts;
  initialUnread: number;
  children: ReactNode;
}) {
  const handlers = useRef(new Map<string, Set<Handler>>());
  const source = useRef<EventSource | null>(null);
  const attached = useRef(new Set<string>());
  const [counts, setCounts] = useState<PartCounts>(initialCounts);
  const [unread, setUnread] = useState(initialUnread);
  const [connected, setConnected] = useState(false);

  // a new server rendering (router.refresh) knows fresh numbers too
  const initialKey = JSON.stringify(initialCounts);
  useEffect(() => {
    setCounts(JSON.parse(initialKey) as PartCounts);
  }, [initialKey]);
  useEffect(() => {
    setUnread(initialUnread);
  }, [initialUnread]);

  const attach = useCallback((name: string) => {
    const s = source.current;
    if (!s || attached.current.has(name)) return;
    attached.current.add(name);
    s.addEventListener(name, (e) => {
      const data = parse(e);
      if (data === undefined) return;
      for (const h of [...(handlers.current.get(name) ?? [])]) {
        try {
          h(data);
        } catch (error) {
          console.error(`[workspace events] a ${name} handler failed`, error);
        }
      }
    });
  }, []);

  const hub = useMemo<EventsHub>(
    () => ({
      subscribe(name, handler) {
        let set = handlers.current.get(name);
        if (!set) {
          set = new Set();
          handlers.current.set(name, set);
        }
        set.add(handler);
        attach(name);
        return () => {
          set.delete(handler);
        };
      },
    }),
    [attach],
  );

  useEffect(() => {
    const s = new EventSource(`/api/workspaces/${encodeURIComponent(slug)}/events`);
    source.current = s;
    attached.current = new Set();
    for (const name of new Set([...KNOWN_EVENTS, ...handlers.current.keys()])) attach(name);
    s.onopen = () => setConnected(true);
    s.onerror = () => setConnected(false);
    return () => {
      s.close();
      if (source.current === s) source.current = null;
    };
  }, [slug, attach]);

  useEffect(() => {
    const offs = [
      hub.subscribe("hello", (d) => {
        if (!isRecord(d)) return;
        setConnected(true);
        const c = countsOf(d.counts);
        if (c) setCounts(c);
        if (typeof d.unread === "number") setUnread(d.unread);
      }),
      hub.subscribe("status", (d) => {
        const c = isRecord(d) ? countsOf(d.counts) : null;
        if (c) setCounts(c);
      }),
      hub.subscribe("notification", (d) => {
        if (isRecord(d) && typeof d.unread === "number") setUnread(d.unread);
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [hub]);

  const live = useMemo<WorkspaceLive>(() => ({ counts, unread, connected, setUnread }), [counts, unread, connected]);
  return (
    <HubContext.Provider value={hub}>
      <LiveContext.Provider value={live}>{children}</LiveContext.Provider>
    </HubContext.Provider>
  );
}

/**
 * Call `handler` with the data of every `name` event of the workspace stream. Outside the provider
 * (the public share page) it does nothing. The handler may change between renders freely.
 */
export function useWorkspaceEvent<T = Record<string, unknown>>(name: string, handler: (data: T) => void): void {
  const hub = useContext(HubContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!hub) return;
    return hub.subscribe(name, (data) => latest.current(data as T));
  }, [hub, name]);
}

/** Whether the page is inside a WorkspaceEventsProvider (live updates arrive by themselves). */
export function useHasWorkspaceEvents(): boolean {
  return useContext(HubContext) !== null;
}

/** Part counts and unread notifications, kept live by the provider. */
export function useWorkspaceLive(): WorkspaceLive {
  return useContext(LiveContext);
}
