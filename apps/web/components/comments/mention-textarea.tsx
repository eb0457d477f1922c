"use client";

import { useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { insertMention, type MentionMember, matchMembers, mentionQuery, mentionToken } from "./mentions";

/**
 * A textarea with @-autocomplete: typing `@` and letters lists matching members (handle, email or
 * name); ↑/↓ move, Enter or Tab (or a click) inserts `@handle `, Escape closes the list.
 * Ctrl/⌘+Enter submits.
 */
export function MentionTextarea({
  value,
  onChange,
  members,
  label,
  placeholder,
  onSubmit,
  disabled,
  rows = 3,
  autoFocus,
  maxLength = 5000,
}: {
  value: string;
  onChange: (value: string) => void;
  members: readonly MentionMember[];
  /** The accessible name (aria-label). */
  label: string;
  placeholder?: string;
  onSubmit?: () => void;
  disabled?: boolean;
  rows?: number;
  autoFocus?: boolean;
  maxLength?: number;
}) {
  const ref = useRef<HTMLTextAreaElement | null>(null);
  const [query, setQuery] = useState<{ start: number; query: string; caret: number } | null>(null);
  const [active, setActive] = useState(0);
  const listId = useId();
  const suggestions = useMemo(
    () => (query && members.length > 0 ? matchMembers(members, query.query) : []),
    [query, members],
  );
  const open = suggestions.length > 0;
  // where the caret goes once an inserted mention is in the textarea (right after the new value renders)
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    const caret = pendingCaret.current;
    if (!el || caret === null || el.value !== value) return;
    pendingCaret.current = null;
    el.focus();
    el.setSelectionRange(caret, caret);
  }, [value]);

  const track = (text: string, caret: number) => {
    const q = mentionQuery(text, caret);
    setQuery(q ? { ...q, caret } : null);
    setActive(0);
  };

  const choose = (m: MentionMember) => {
    if (!query) return;
    const r = insertMention(value, query.start, query.caret, mentionToken(m, members));
    pendingCaret.current = r.caret;
    onChange(r.text);
    setQuery(null);
  };

  return (
    <div className="mention-input">
      <textarea
        ref={ref}
        aria-label={label}
        placeholder={placeholder}
        value={value}
        rows={rows}
        maxLength={maxLength}
        disabled={disabled}
        autoFocus={autoFocus}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        onChange={(e) => {
          onChange(e.target.value);
          track(e.target.value, e.target.selectionStart ?? e.target.value.length);
        }}
        onClick={(e) => track(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
        onBlur={() => setQuery(null)}
        onKeyDown={(e) => {
          if (open) {
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              const n = suggestions.length;
              setActive((a) => (a + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
              return;
            }
            if (e.key === "Enter" || e.key === "Tab") {
              const m = suggestions[active];
              if (m) {
                e.preventDefault();
                choose(m);
                return;
              }
            }
            if (e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              setQuery(null);
              return;
            }
          }
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && onSubmit) {
            e.preventDefault();
            onSubmit();
          }
        }}
        onKeyUp={(e) => {
          if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End") {
            track(e.currentTarget.value, e.currentTarget.selectionStart ?? 0);
          }
        }}
      />
      {open && (
        <div className="mention-list" role="listbox" id={listId} aria-label="Members to mention">
          {suggestions.map((m, i) => (
            <div
              key={m.userId}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              data-handle={m.handle}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(m);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <strong>@{mentionToken(m, members)}</strong>
              <span className="muted">{m.name && m.name !== m.email ? `${m.name} · ${m.email}` : m.email}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
