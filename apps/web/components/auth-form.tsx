"use client";

import { type FormEvent, type ReactNode, useState } from "react";
import { messageOf } from "./api-client";

/** A form that submits once, shows progress, and shows the API's message on failure. */
export function AuthForm({
  children,
  submitLabel,
  onSubmit,
}: {
  children: ReactNode;
  submitLabel: string;
  onSubmit: (data: FormData) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function handle(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(new FormData(e.currentTarget));
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }
  return (
    <form className="stack" onSubmit={handle} noValidate>
      {children}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button className="primary" type="submit" disabled={busy}>
        {busy ? "Please wait…" : submitLabel}
      </button>
    </form>
  );
}
