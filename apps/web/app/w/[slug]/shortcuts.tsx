"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { keyHelpOpen, usePageKeys } from "@/components/key-help";
import { isTyping } from "@/components/typing";
import type { NavItem } from "./nav";

/**
 * Keyboard navigation: `g` then a section key; `?` shows every key that works here (navigation and
 * what the page's components list with `useKeyHelp`); Escape or `?` closes it, and while it is open
 * the page behind ignores keys.
 */
export function Shortcuts({ items }: { items: NavItem[] }) {
  const router = useRouter();
  const [help, setHelp] = useState(false);
  const sections = usePageKeys();
  useEffect(() => {
    if (!help) return;
    document.body.dataset.keyHelp = "open";
    return () => {
      delete document.body.dataset.keyHelp;
    };
  }, [help]);
  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (e.key === "?" || (e.key === "Escape" && keyHelpOpen())) {
        e.preventDefault();
        setHelp((h) => (e.key === "?" ? !h : false));
        return;
      }
      if (keyHelpOpen()) return;
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
        <h3>Navigation</h3>
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
                <kbd>?</kbd>
              </td>
              <td>Show or hide this list (Escape closes it)</td>
            </tr>
          </tbody>
        </table>
        {sections.map((section) => (
          <section key={section.title} className="stack" data-testid={`keys-${section.title}`}>
            <h3>{section.title}</h3>
            <table>
              <tbody>
                {section.keys.map(([keys, what]) => (
                  <tr key={`${keys}:${what}`}>
                    <td>
                      <kbd>{keys}</kbd>
                    </td>
                    <td>{what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
        <button type="button" onClick={() => setHelp(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
