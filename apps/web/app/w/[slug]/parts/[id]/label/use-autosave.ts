"use client";

import { type FaceCheck, type LabelState, labelStateToDocument } from "@facet/core";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, messageOf } from "@/components/api-client";

export type SaveStatus =
  | { kind: "saved"; revisionNo: number | null }
  | { kind: "pending" }
  | { kind: "saving" }
  | { kind: "conflict"; message: string }
  | { kind: "error"; message: string };

const DEBOUNCE_MS = 600;

/**
 * Every change becomes an append-only revision, saved shortly after the annotator stops: each save
 * names the revision it was based on, so a save made on a stale state is refused (CONFLICT) rather
 * than overwriting someone's work. Unsaved changes are sent with `keepalive` when the page goes away.
 * The face checks ride along: a change of them alone (a face looked at) schedules no save, but the
 * next save, or a flush, sends them.
 */
export function useAutosave(options: {
  url: string;
  faceSignature: string;
  state: LabelState;
  /** What the annotator did with each pre-labelled face (useFaceChecks); null without a pre-label. */
  faceChecks: FaceCheck[] | null;
  /** Bumped on every change the annotator makes (not on loading). */
  version: number;
  initialRevision: number | null;
  enabled: boolean;
}) {
  const { url, faceSignature, state, faceChecks, version, enabled } = options;
  const [status, setStatus] = useState<SaveStatus>({ kind: "saved", revisionNo: options.initialRevision });
  const revision = useRef(options.initialRevision ?? 0);
  const savedVersion = useRef(version);
  const savedChecks = useRef(faceChecks);
  const latest = useRef({ state, version, faceChecks });
  latest.current = { state, version, faceChecks };
  /** Something the server does not have yet: a change, or checks newer than those last saved. */
  const unsent = useCallback(
    () => latest.current.version !== savedVersion.current || latest.current.faceChecks !== savedChecks.current,
    [],
  );
  const inFlight = useRef<Promise<void> | null>(null);
  const stopped = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const body = useCallback(
    () => ({
      document: labelStateToDocument(latest.current.state, { faceSignature }),
      expectedRevision: revision.current,
      ...(latest.current.faceChecks ? { faceChecks: latest.current.faceChecks } : {}),
    }),
    [faceSignature],
  );

  const saveOnce = useCallback(async (): Promise<void> => {
    if (stopped.current || !unsent()) return;
    const sending = latest.current.version;
    const sendingChecks = latest.current.faceChecks;
    setStatus({ kind: "saving" });
    try {
      const r = await api<{ revision: { revisionNo: number } }>("POST", url, body());
      revision.current = r.revision.revisionNo;
      savedVersion.current = sending;
      savedChecks.current = sendingChecks;
      setStatus(
        latest.current.version === sending ? { kind: "saved", revisionNo: revision.current } : { kind: "pending" },
      );
    } catch (e) {
      if (e instanceof ApiError && (e.code === "CONFLICT" || e.status === 403)) {
        stopped.current = true;
        setStatus({ kind: "conflict", message: e.message });
      } else {
        setStatus({ kind: "error", message: messageOf(e) });
        throw e;
      }
    }
  }, [url, body, unsent]);

  const run = useCallback((): Promise<void> => {
    if (inFlight.current) return inFlight.current;
    const p = saveOnce().finally(() => {
      inFlight.current = null;
    });
    inFlight.current = p;
    return p;
  }, [saveOnce]);

  /** Save everything now; resolves when the server has the latest state (throws if it cannot). */
  const flush = useCallback(async (): Promise<number> => {
    if (timer.current) clearTimeout(timer.current);
    for (let i = 0; i < 5; i++) {
      if (inFlight.current) await inFlight.current;
      if (stopped.current) throw new Error("your changes could not be saved: reload the part");
      if (!unsent()) return revision.current;
      await run();
    }
    throw new Error("your changes could not be saved");
  }, [run, unsent]);

  useEffect(() => {
    if (!enabled || stopped.current || version === savedVersion.current) return;
    setStatus((s) => (s.kind === "saving" ? s : { kind: "pending" }));
    if (timer.current) clearTimeout(timer.current);
    let retry = 0;
    const schedule = (delay: number) => {
      timer.current = setTimeout(() => {
        run().then(
          () => {
            if (latest.current.version !== savedVersion.current && !stopped.current) schedule(DEBOUNCE_MS);
          },
          () => schedule(Math.min(30_000, 2000 * 2 ** retry++)),
        );
      }, delay);
    };
    schedule(DEBOUNCE_MS);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [version, enabled, run]);

  useEffect(() => {
    const onHide = () => {
      if (!enabled || stopped.current || !unsent()) return;
      void fetch(url, {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body()),
      });
    };
    window.addEventListener("pagehide", onHide);
    return () => window.removeEventListener("pagehide", onHide);
  }, [enabled, url, body, unsent]);

  const dirty = version !== savedVersion.current;
  return { status, flush, dirty, revision };
}
