"use client";

import type { PartLive } from "../use-part-events";

/** Who has the part open now ("You" for the viewer); "connecting…" until the live stream answers. */
export function PresenceList({ live, userId }: { live: PartLive; userId: string }) {
  return (
    <div className="row wb-presence" data-testid="presence">
      {live.presence.length === 0 ? (
        <span className="muted">{live.connected ? "" : "connecting…"}</span>
      ) : (
        live.presence.map((p) => (
          <span key={p.userId} className="wb-avatar" title={p.email ?? undefined} data-email={p.email ?? undefined}>
            {p.userId === userId ? "You" : p.email}
          </span>
        ))
      )}
    </div>
  );
}
