"use client";

import { useCallback, useMemo, useRef, useState } from "react";
import { type HistoryEventInput, historyLines } from "@/components/comments/history-lines";
import { Time } from "@/components/comments/time";
import { useWorkspaceEvent } from "@/components/workspace-events";

const SHOWN = 40;

/**
 * What happened to the part, oldest first, in sentences ("Dee submitted revision 4"); autosaves
 * are told as runs ("Cy saved revisions 1–17"). Read again when the part's status changes or
 * someone comments (the workspace's live events).
 */
export function PartHistory({
  workspace,
  partId,
  initialEvents,
}: {
  workspace: string;
  partId: string;
  initialEvents: HistoryEventInput[];
}) {
  const [events, setEvents] = useState(initialEvents);
  const [all, setAll] = useState(false);
  const lines = useMemo(() => historyLines(events), [events]);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      const mine = ++seq.current;
      const res = await fetch(`/api/workspaces/${encodeURIComponent(workspace)}/parts/${partId}/history`, {
        credentials: "same-origin",
      }).catch(() => null);
      if (!res?.ok) return;
      const data = (await res.json().catch(() => null)) as { events?: HistoryEventInput[] } | null;
      if (data?.events && mine === seq.current) setEvents(data.events);
    }, 300);
  }, [workspace, partId]);

  useWorkspaceEvent<{ partId?: string }>("status", (d) => {
    if (d.partId === partId) refresh();
  });
  useWorkspaceEvent<{ partId?: string }>("comment", (d) => {
    if (d.partId === partId) refresh();
  });

  const hidden = all ? 0 : Math.max(0, lines.length - SHOWN);
  return (
    <div className="history" data-testid="history">
      {lines.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <>
          {hidden > 0 && (
            <button type="button" className="link" onClick={() => setAll(true)}>
              Show {hidden} earlier event{hidden === 1 ? "" : "s"}
            </button>
          )}
          <ol className="history-list">
            {lines.slice(hidden).map((l) => (
              <li key={l.key} data-action={l.action} data-events={l.events}>
                <span className="history-text">{l.text}</span>{" "}
                <span className="muted history-time">
                  <Time iso={l.at} />
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
