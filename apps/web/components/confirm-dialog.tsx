"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";

/**
 * Asks before something that cannot be undone: a modal dialog in the page (the browser's own
 * `dialog`: focus stays inside, Escape cancels). Render it while the question stands; Cancel comes
 * first, so Enter on the first focus does nothing harmful.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="confirm card stack"
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Escape: the page decides (it unmounts the dialog)
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      <div className="row">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
