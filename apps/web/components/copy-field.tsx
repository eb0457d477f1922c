"use client";

import { useEffect, useRef, useState } from "react";

/**
 * A read-only value (a link shown once) with a Copy button: the clipboard where the browser gives
 * one (it says "Copied" for a moment); otherwise the text is selected for the person to copy it.
 */
export function CopyField({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "selected">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 3000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      // absent outside secure contexts (plain http other than localhost); refused without permission
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      input.current?.focus();
      input.current?.select();
      setState("selected");
    }
  };

  return (
    <div className="row">
      <input
        ref={input}
        className="copy"
        readOnly
        value={value}
        aria-label={label}
        data-testid={testId}
        onFocus={(e) => e.currentTarget.select()}
        style={{ flex: 1 }}
      />
      <button type="button" onClick={() => void copy()}>
        {state === "copied" ? "Copied" : "Copy"}
      </button>
      {state === "selected" && (
        <span className="muted" role="status">
          Selected: press Ctrl+C (⌘C on a Mac) to copy it.
        </span>
      )}
    </div>
  );
}
