"use client";

import type { NotificationRow } from "@facet/db";
import Link from "next/link";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { api, messageOf } from "./api-client";
import { Time } from "./comments/time";
import { useWorkspaceEvent, useWorkspaceLive } from "./workspace-events";

const KIND_LABELS: Record<NotificationRow["kind"], string> = {
  mention: "Mention",
  reply: "Reply",
  review_rejected: "Returned",
  review_approved: "Approved",
};

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}

/**
 * The bell: the caller's unread notifications in this workspace (live through the workspace
 * events), a list of the latest ones linking to their part's comments, and "Mark all read".
 */
export function NotificationsBell({ workspace }: { workspace: string }) {
  const { unread, setUnread } = useWorkspaceLive();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NotificationRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement | null>(null);
  const panelId = useId();
  const base = `/api/workspaces/${encodeURIComponent(workspace)}/notifications`;

  const load = useCallback(async () => {
    try {
      const r = await api<{ unread: number; items: NotificationRow[] }>("GET", base);
      setItems(r.items);
      setUnread(r.unread);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [base, setUnread]);

  useEffect(() => {
    if (open) void load();
  }, [open, load]);

  useWorkspaceEvent("notification", () => {
    if (open) void load();
    else setItems(null);
  });

  // close on Escape and on a click elsewhere
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    const onDown = (e: PointerEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", onDown);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("pointerdown", onDown);
    };
  }, [open]);

  const markRead = async (ids?: number[]) => {
    try {
      const r = await api<{ marked: number; unread: number }>("POST", `${base}/read`, ids ? { ids } : {});
      setUnread(r.unread);
      const now = new Date().toISOString();
      setItems(
        (list) => list?.map((n) => (!ids || ids.includes(n.id) ? { ...n, readAt: n.readAt ?? now } : n)) ?? null,
      );
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <div className="notif" ref={box}>
      <button
        type="button"
        className="notif-bell"
        data-testid="notifications"
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="notif-count" data-testid="unread-count">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <section className="notif-panel card" id={panelId} aria-label="Notifications">
          <div className="row notif-head">
            <strong>Notifications</strong>
            <button type="button" className="link" onClick={() => void markRead()} disabled={unread === 0}>
              Mark all read
            </button>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {items === null ? (
            <p className="muted">Loading…</p>
          ) : items.length === 0 ? (
            <p className="muted">
              Nothing yet. You are told here when someone mentions you, replies to you or reviews your work.
            </p>
          ) : (
            <ul className="notif-list">
              {items.map((n) => (
                <li key={n.id} data-testid="notification" data-unread={n.readAt ? "no" : "yes"} data-kind={n.kind}>
                  {n.partId ? (
                    <Link
                      href={`/w/${workspace}/parts/${n.partId}#comments`}
                      onClick={() => {
                        if (!n.readAt) void markRead([n.id]);
                        setOpen(false);
                      }}
                    >
                      <span className="notif-summary">{n.summary}</span>
                    </Link>
                  ) : (
                    <span className="notif-summary">{n.summary}</span>
                  )}
                  <span className="notif-meta muted">
                    {KIND_LABELS[n.kind]}
                    {n.actorName ? ` · ${n.actorName}` : ""} · <Time iso={n.createdAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
