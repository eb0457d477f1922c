"use client";

import type { ClaimedPart } from "@facet/db";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { keyHelpOpen, useKeyHelp } from "@/components/key-help";
import { isTyping } from "@/components/typing";

const QUEUE_KEYS = [["N", "Continue the part you hold, or claim the next one"]] as const;

export function QueueActions({
  workspace,
  claims,
  submitted,
  recorded,
}: {
  workspace: string;
  claims: ClaimedPart[];
  submitted?: string | undefined;
  /** A part whose dataset needs several independent annotations: this one is recorded, others follow. */
  recorded?: string | undefined;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(
    submitted
      ? { text: `Submitted ${submitted} for review.`, error: false }
      : recorded
        ? {
            text: `Your annotation of ${recorded} is recorded. Its dataset needs several independent annotations: it goes to review once others have labelled it too.`,
            error: false,
          }
        : null,
  );

  const claim = useCallback(async () => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await api<{ part: ClaimedPart }>("POST", `/api/workspaces/${workspace}/queue/claim`, {});
      setMessage({ text: `Claimed ${r.part.name}: opening the workbench…`, error: false });
      performance.mark("facet:claim");
      router.push(`/w/${workspace}/parts/${r.part.id}/label`);
    } catch (e) {
      setMessage({ text: messageOf(e), error: true });
    } finally {
      setBusy(false);
    }
  }, [workspace, router]);

  // parts already held come first: N (and the main button) continue the first of them
  const held = claims[0] ?? null;
  const next = useCallback(() => {
    if (held) router.push(`/w/${workspace}/parts/${held.id}/label`);
    else void claim();
  }, [held, router, workspace, claim]);

  useKeyHelp("Queue", QUEUE_KEYS);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "n" && !e.metaKey && !e.ctrlKey && !isTyping(e.target) && !keyHelpOpen()) {
        e.preventDefault();
        next();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [next]);

  return (
    <div className="stack">
      <div className="row">
        {held ? (
          <>
            <button className="primary" type="button" onClick={next} disabled={busy}>
              Continue {held.name} <kbd>N</kbd>
            </button>
            <button type="button" onClick={claim} disabled={busy}>
              Claim another part
            </button>
          </>
        ) : (
          <button className="primary" type="button" onClick={claim} disabled={busy}>
            Claim next part <kbd>N</kbd>
          </button>
        )}
        {message && (
          <span role="status" className={message.error ? "error" : "notice"}>
            {message.text}
          </span>
        )}
      </div>
      {held && (
        <p data-testid="holding" className="muted">
          You hold {claims.length === 1 ? "a part" : `${claims.length} parts`}: finish{" "}
          {claims.length === 1 ? "it" : "them"} (or release {claims.length === 1 ? "it" : "them"}) before claiming more.
        </p>
      )}
      <h2>Parts I hold</h2>
      {claims.length === 0 ? (
        <p className="muted">You hold no part.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Part</th>
              <th>Claimed</th>
              <th>Lease until</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {claims.map((p) => (
              <tr key={p.id} data-testid="held-part">
                <td>
                  <Link href={`/w/${workspace}/parts/${p.id}/label`}>{p.name}</Link>{" "}
                  {p.returnedAt && (
                    <span className="badge warn" data-testid="returned" title="A reviewer sent it back with notes">
                      Returned with notes
                    </span>
                  )}
                </td>
                <td>{p.claimedAt ? new Date(p.claimedAt).toLocaleString() : ""}</td>
                <td>
                  {p.leaseExpiresAt
                    ? new Date(p.leaseExpiresAt).toLocaleTimeString()
                    : p.returnedAt
                      ? "yours until you submit or release it"
                      : "no lease"}
                </td>
                <td className="row">
                  <Link className="button" href={`/w/${workspace}/parts/${p.id}/label`}>
                    Continue labelling
                  </Link>
                  <button
                    type="button"
                    onClick={async () => {
                      try {
                        await api("POST", `/api/workspaces/${workspace}/parts/${p.id}/release`);
                        router.refresh();
                      } catch (e) {
                        setMessage({ text: messageOf(e), error: true });
                      }
                    }}
                  >
                    Release
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
