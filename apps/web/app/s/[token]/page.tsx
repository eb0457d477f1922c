import { isAppError } from "@facet/core";
import type { Metadata } from "next";
import { Logo } from "@/components/logo";
import { StatusBadge } from "@/features/part-stage";
import { loadSharedPart, type SharedPart } from "@/lib/share.server";
import { formatDay } from "@/lib/time-format";
import { SharedView } from "./shared-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Shared part",
  // the token is in the address: keep it out of Referer headers (storage, anything the page loads)
  referrer: "no-referrer",
  robots: { index: false, follow: false },
};

function Invalid() {
  return (
    <main className="centered">
      <div className="card auth-card stack" data-testid="share-invalid">
        <div className="brand">
          <Logo /> Facet
        </div>
        <h1>This link is not valid</h1>
        <p className="muted">
          It was revoked, it expired, or it never existed. Ask the person who sent it to you for a new one.
        </p>
      </div>
    </main>
  );
}

/**
 * A part shared with someone outside the workspace (no sign-in): its labels on the 3D view and its
 * comments, which a `comment` link lets the guest add to. Nothing here leads into the workspace.
 */
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let shared: SharedPart;
  try {
    shared = await loadSharedPart(token);
  } catch (e) {
    // revoked, expired, unknown or malformed: all the same to the visitor
    if (isAppError(e) && e.isUserError) return <Invalid />;
    throw e;
  }
  const { link, part, comments, meshUrl } = shared;
  const geometry = part.geometry;
  const faceCount = geometry?.faceCount ?? 0;
  const document = part.revision?.document;
  const labels: Array<string | null> =
    document && geometry && document.faceSignature === geometry.faceSignature && document.labels.length === faceCount
      ? document.labels
      : new Array<string | null>(faceCount).fill(null);
  return (
    <main className="share-page" data-testid="shared-part">
      <header className="share-head">
        <div className="brand">
          <Logo /> Facet
        </div>
        <span className="muted">
          Shared with you · {link.access === "comment" ? "you can comment" : "read only"} · until{" "}
          {formatDay(link.expiresAt)}
        </span>
      </header>
      <p className="muted">{part.part.datasetName} /</p>
      <h1>{part.part.name}</h1>
      <div className="row">
        <StatusBadge status={part.part.status} />
        {geometry && <span className="muted">{geometry.faceCount} faces</span>}
        {part.revision && <span className="muted">labels of revision {part.revision.revisionNo}</span>}
      </div>
      <SharedView
        token={token}
        partId={part.part.id}
        meshUrl={meshUrl}
        faceSignature={geometry?.faceSignature ?? null}
        labels={labels}
        features={part.taxonomy?.featureTypes ?? []}
        threads={comments}
        canComment={link.access === "comment"}
      />
    </main>
  );
}
