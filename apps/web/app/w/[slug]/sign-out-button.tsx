"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";

/** Sign out of this browser, or (after a confirmation) of every browser and device at once. */
export function SignOutButton() {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const leave = async (path: string) => {
    setError(null);
    try {
      await api("POST", path);
      router.replace("/sign-in");
      router.refresh();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <div className="stack" style={{ gap: 6 }}>
      <button type="button" onClick={() => void leave("/api/auth/sign-out")}>
        Sign out
      </button>
      {!confirming ? (
        <button type="button" className="link" onClick={() => setConfirming(true)}>
          Sign out everywhere…
        </button>
      ) : (
        <fieldset className="stack plain" aria-label="Sign out everywhere" style={{ gap: 6 }}>
          <span className="muted">
            End your sessions in every browser and device, this one too. API keys keep working: revoke them separately.
          </span>
          <div className="row">
            <button type="button" className="danger" onClick={() => void leave("/api/auth/sign-out-everywhere")}>
              Sign out everywhere
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </fieldset>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
