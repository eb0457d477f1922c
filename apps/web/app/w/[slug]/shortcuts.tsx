"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { isTyping } from "@/components/typing";
import type { NavItem } from "./nav";

/** Keyboard navigation: `g` then a section key; `?` shows the list; Escape closes it. */
export function Shortcuts({ items }: { items: NavItem[] }) {
  const router = useRouter();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (e.key === "Escape") setHelp(false);
      if (e.key === "?") {
        setHelp((h) => !h);
        return;
      }
      if (e.key === "g") {
        pendingG = Date.now();
        return;
      }
      if (Date.now() - pendingG < 1200) {
        const item = items.find((i) => i.key === e.key);
        pendingG = 0;
        if (item) {
          e.preventDefault();
          router.push(item.href);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    document.body.dataset.shortcuts = "ready"; // for tests: the keys work from here on
    return () => {
      window.removeEventListener("keydown", onKey);
      delete document.body.dataset.shortcuts;
    };
  }, [items, router]);
  if (!help) return null;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
      <div className="card stack">
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {items.map((i) => (
              <tr key={i.key}>
                <td>
                  <kbd>g</kbd> <kbd>{i.key}</kbd>
                </td>
                <td>{i.label}</td>
              </tr>
            ))}
            <tr>
              <td>
                <kbd>n</kbd>
              </td>
              <td>Claim the next part (in My queue)</td>
            </tr>
            <tr>
              <td>
                <kbd>?</kbd>
              </td>
              <td>Show or hide this list</td>
            </tr>
          </tbody>
        </table>
        <button type="button" onClick={() => setHelp(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
