"use client";

import { useCallback, useEffect, useRef } from "react";

/**
 * Keep the claim while the page is open (renewed every two minutes); when the annotator leaves,
 * shorten it to a minute: a reload picks it up again, a closed tab gives the part back to the queue.
 * `letGo()` after the part was submitted or released: leaving then asks nothing of the server (the
 * lease is gone; asking would only be refused).
 */
export function useLease(url: string, holding: boolean, onLost: (message: string) => void): { letGo: () => void } {
  const lost = useRef(onLost);
  lost.current = onLost;
  // set once the part was handed in (submitted, released): nothing to renew or shorten any more
  const given = useRef(false);
  // whether the part is still held as of the latest render: the effect below is also cleaned up when
  // the hold ends (the live status says so, maybe before the submit's own answer), not only on leaving
  const held = useRef(holding);
  held.current = holding;
  useEffect(() => {
    if (!holding) return;
    given.current = false;
    const renew = async (leaseSeconds: number) => {
      if (given.current) return;
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
    const onHide = () => {
      if (!given.current) {
        navigator.sendBeacon(url, new Blob([JSON.stringify({ leaseSeconds: 60 })], { type: "application/json" }));
      }
    };
    window.addEventListener("pagehide", onHide);
    return () => {
      clearInterval(timer);
      window.removeEventListener("pagehide", onHide);
      // leaving within the app (another page of Facet) is leaving too; a hold that ended is not
      if (held.current) onHide();
    };
  }, [url, holding]);
  const letGo = useCallback(() => {
    given.current = true;
  }, []);
  return { letGo };
}
