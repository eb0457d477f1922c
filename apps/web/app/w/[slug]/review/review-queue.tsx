"use client";

import type { ReviewQueueItem, ReviewQueuePage } from "@facet/db";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { useWorkspaceEvent, useWorkspaceLive } from "@/components/workspace-events";
import { annotatorOptions, type PersonOption, type QueueFilters, queueQuery, waitingText } from "@/lib/review/queue";
import { formatRelative } from "@/lib/time-format";

/** How long events are gathered before the queue is fetched again. */
const REFETCH_DELAY_MS = 150;

export function ReviewQueue(props: {
  workspace: string;
  userId: string;
  initialPage: ReviewQueuePage;
  initialFilters: QueueFilters;
  datasets: Array<{ id: string; name: string }>;
  annotators: PersonOption[];
  reviewed: string | null;
  renderedAt: number;
}) {
  const { workspace } = props;
  const [filters, setFilters] = useState<QueueFilters>(props.initialFilters);
  const [items, setItems] = useState<ReviewQueueItem[]>(props.initialPage.items);
  const [waiting, setWaiting] = useState(props.initialPage.waiting);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(props.reviewed);
  // the server's clock first (the same text on the server and in the browser), then the browser's
  const [now, setNow] = useState(props.renderedAt);
  const [people, setPeople] = useState<PersonOption[]>(props.annotators);
  // exact times in the browser's locale and zone once hydrated (the server's would differ)
  const [mounted, setMounted] = useState(false);

  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const request = useRef(0);

  const refetch = useCallback(async () => {
    const mine = ++request.current;
    try {
      const r = await api<ReviewQueuePage>(
        "GET",
        `/api/workspaces/${workspace}/review-queue${queueQuery(filtersRef.current)}`,
      );
      if (mine !== request.current) return; // a newer request answers for the current filters
      setItems(r.items);
      setWaiting(r.waiting);
      setError(null);
      setNow(Date.now());
    } catch (e) {
      if (mine === request.current) setError(messageOf(e));
    }
  }, [workspace]);

  // annotators seen in the queue stay in the filter (a part of someone who is no member any more)
  useEffect(() => {
    setPeople((known) => {
      const merged = annotatorOptions(
        [],
        [...known.map((p) => ({ annotatorId: p.userId, annotatorEmail: p.email })), ...items],
      );
      return merged.length === known.length ? known : merged;
    });
  }, [items]);

  // live: a part submitted, decided, opened or closed anywhere in the workspace refreshes the list
  // (the page's one workspace event stream; events in one burst make one request)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const schedule = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void refetch();
    }, REFETCH_DELAY_MS);
  }, [refetch]);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  useWorkspaceEvent("hello", schedule); // anything that happened before (or while reconnecting)
  useWorkspaceEvent("status", schedule);
  useWorkspaceEvent("activity", schedule);
  const { connected } = useWorkspaceLive();

  useEffect(() => {
    setMounted(true);
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const changeFilter = useCallback(
    (change: Partial<QueueFilters>) => {
      const next = { ...filtersRef.current, ...change };
      filtersRef.current = next;
      setFilters(next);
      window.history.replaceState(null, "", `/w/${workspace}/review${queueQuery(next)}`);
      void refetch();
    },
    [workspace, refetch],
  );

  const datasetOptions = useMemo(() => {
    const known = new Map(props.datasets.map((d) => [d.id, d.name]));
    for (const i of items) if (!known.has(i.datasetId)) known.set(i.datasetId, i.datasetName);
    return [...known].map(([id, name]) => ({ id, name }));
  }, [props.datasets, items]);

  const filtered = filters.annotator !== null || filters.dataset !== null;

  return (
    <div className="stack review-queue" data-testid="review-queue">
      <div className="row review-queue-head">
        <p className="muted" data-testid="review-count" data-count={waiting}>
          {waitingText(waiting, items.length)}
          {filtered ? " (filtered)" : ""} · oldest submission first
        </p>
        <span className="muted review-live" data-testid="review-live" data-connected={connected ? "yes" : "no"}>
          {connected ? "live" : "connecting…"}
        </span>
      </div>
      {message && (
        <p className="notice" role="status" data-testid="review-confirmation">
          {message}{" "}
          <button type="button" className="link" onClick={() => setMessage(null)} aria-label="Dismiss">
            ×
          </button>
        </p>
      )}
      <div className="row review-filters">
        <label className="wb-inline">
          Annotator
          <select
            aria-label="Annotator"
            data-testid="filter-annotator"
            value={filters.annotator ?? ""}
            onChange={(e) => changeFilter({ annotator: e.target.value || null })}
          >
            <option value="">Everyone</option>
            {people.map((p) => (
              <option key={p.userId} value={p.userId}>
                {p.email}
              </option>
            ))}
          </select>
        </label>
        <label className="wb-inline">
          Dataset
          <select
            aria-label="Dataset"
            data-testid="filter-dataset"
            value={filters.dataset ?? ""}
            onChange={(e) => changeFilter({ dataset: e.target.value || null })}
          >
            <option value="">All datasets</option>
            {datasetOptions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="link" onClick={() => changeFilter({ annotator: null, dataset: null })}>
            Clear filters
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          The queue could not be refreshed: {error}
        </p>
      )}
      {items.length === 0 ? (
        <p className="muted" data-testid="review-empty">
          Nothing waits for review.
        </p>
      ) : (
        <table data-testid="review-table">
          <thead>
            <tr>
              <th>Part</th>
              <th>Dataset</th>
              <th>Annotator</th>
              <th>Submitted</th>
              <th>Faces</th>
              <th>Reviewing now</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id} data-testid="review-row" data-part-id={p.id}>
                <td>
                  <Link href={`/w/${workspace}/parts/${p.id}/review`}>{p.name}</Link>{" "}
                  {p.rejections > 0 && (
                    <span
                      className="badge warn review-returned"
                      data-testid="returned-badge"
                      title={`Sent back to the annotator ${p.rejections} time(s) before`}
                    >
                      returned {p.rejections}×
                    </span>
                  )}
                  {p.annotations > 1 && (
                    <span
                      className={p.disputedFaces > 0 ? "badge warn" : "badge"}
                      data-testid="consensus-badge"
                      title="Independent annotations of this part, and the faces they label differently"
                    >
                      {p.annotations} annotations ·{" "}
                      {p.disputedFaces === 0
                        ? "agreed"
                        : `${p.disputedFaces} disputed face${p.disputedFaces === 1 ? "" : "s"}`}
                    </span>
                  )}
                </td>
                <td>{p.datasetName}</td>
                <td>{p.annotatorEmail ?? "—"}</td>
                <td>
                  <time
                    dateTime={p.submittedAt}
                    title={mounted ? new Date(p.submittedAt).toLocaleString() : p.submittedAt}
                  >
                    {formatRelative(p.submittedAt, now)}
                  </time>
                </td>
                <td>{p.faceCount ?? "—"}</td>
                <td>
                  <div className="review-chips">
                    {p.viewers.map((v) => {
                      const who = v.email ?? "someone";
                      // the annotator's own page may still be open (or just closed): not a reviewer
                      const annotator = v.userId === p.annotatorId;
                      return (
                        <span
                          key={v.userId}
                          className="wb-avatar"
                          data-testid="reviewer-chip"
                          data-user-id={v.userId}
                          title={v.userId === props.userId ? "You have this part open" : `${who} has this part open`}
                        >
                          {annotator ? `${who} has it open (annotator)` : `${who} is reviewing`}
                        </span>
                      );
                    })}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
