"use client";

import { ActiveTimeMeter, IDLE_CUT_MS } from "@facet/core";
import { useEffect } from "react";

/** How often the measured time is sent while the part is held. */
const REPORT_EVERY_MS = 15_000;
/** Pointer moves are inputs too, but a move is noted at most this often. */
const MOVE_NOTE_MS = 1_000;

/**
 * Measure the active time spent on the part while it is held, and send it to `url`
 * (`{session, activeMs}`): every 15 seconds, and with a beacon when the page is hidden or left or
 * the hold ends (submitted, released, lost). Time counts only while the tab is visible and focused
 * and the person did something (a click, a key, the wheel, a pointer move) in the last minute
 * (core's ActiveTimeMeter); the server bounds what it accepts.
 */
export function useActiveTime(url: string, holding: boolean): void {
  useEffect(() => {
    if (!holding) return;
    const session = crypto.randomUUID();
    const clock = () => performance.now();
    const meter = new ActiveTimeMeter(
      clock(),
      document.visibilityState === "visible",
      document.hasFocus(),
      IDLE_CUT_MS,
    );
    const body = (activeMs: number) => JSON.stringify({ session, activeMs });
    const send = () => {
      const activeMs = meter.take(clock());
      if (activeMs <= 0) return;
      void fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body(activeMs),
        keepalive: true,
      })
        .then((res) => {
          // refused for good (the part is no longer held, a bound): dropped; a server error: sent again later
          if (res.status >= 500) meter.giveBack(activeMs);
        })
        .catch(() => meter.giveBack(activeMs));
    };
    const beacon = () => {
      const activeMs = meter.take(clock());
      if (activeMs > 0) navigator.sendBeacon(url, new Blob([body(activeMs)], { type: "application/json" }));
    };
    let lastMove = 0;
    const onInput = () => meter.input(clock());
    const onMove = () => {
      const now = clock();
      if (now - lastMove < MOVE_NOTE_MS) return;
      lastMove = now;
      meter.input(now);
    };
    const onVisibility = () => {
      const visible = document.visibilityState === "visible";
      meter.setVisible(clock(), visible);
      if (!visible) beacon();
    };
    const onFocus = () => meter.setFocused(clock(), true);
    const onBlur = () => meter.setFocused(clock(), false);
    const inputs = ["pointerdown", "keydown", "wheel", "touchstart"] as const;
    for (const e of inputs) window.addEventListener(e, onInput, { capture: true, passive: true });
    window.addEventListener("pointermove", onMove, { capture: true, passive: true });
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("focus", onFocus);
    window.addEventListener("blur", onBlur);
    window.addEventListener("pagehide", beacon);
    const timer = setInterval(send, REPORT_EVERY_MS);
    return () => {
      clearInterval(timer);
      for (const e of inputs) window.removeEventListener(e, onInput, { capture: true });
      window.removeEventListener("pointermove", onMove, { capture: true });
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("focus", onFocus);
      window.removeEventListener("blur", onBlur);
      window.removeEventListener("pagehide", beacon);
      // the hold ended (submitted, released, lost) or the page is left: what is left goes now
      beacon();
    };
  }, [url, holding]);
}
