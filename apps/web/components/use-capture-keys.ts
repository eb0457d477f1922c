"use client";

import { useEffect, useRef } from "react";
import { keyHelpOpen } from "./key-help";
import { isTyping } from "./typing";

/**
 * A page's own keys, handled before the workspace's shortcuts (`g` + key navigation): `handle`
 * returns true when it used the key. Typing in a field is left alone (Escape leaves the field).
 * While mounted, `document.body.dataset[marker] = "ready"` tells tests the keys work.
 */
export function useCaptureKeys(handle: (e: KeyboardEvent) => boolean, marker: string): void {
  const latest = useRef(handle);
  latest.current = handle;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keyHelpOpen()) return; // the key list is in front: it takes the keys
      if (isTyping(e.target)) {
        if (e.key === "Escape") (e.target as HTMLElement).blur();
        return;
      }
      if (latest.current(e)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener("keydown", onKey, true);
    document.body.dataset[marker] = "ready";
    return () => {
      window.removeEventListener("keydown", onKey, true);
      delete document.body.dataset[marker];
    };
  }, [marker]);
}
