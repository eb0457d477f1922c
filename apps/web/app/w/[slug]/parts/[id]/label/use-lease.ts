"use client";

import { useEffect, useRef } from "react";

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
