import { sha256Hex } from "@facet/auth";
import { isAppError, ROLE_LABELS } from "@facet/core";
import { type InvitationPreview, previewInvitation, withService } from "@facet/db";
import type { Metadata } from "next";
import { AuthCard } from "@/components/auth-card";
import { context } from "@/lib/context.server";
import { invitationTokenSchema } from "@/lib/schemas";
import { getViewer } from "@/lib/session.server";
import { InviteForm } from "./invite-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let preview: InvitationPreview | null = null;
  if (invitationTokenSchema.safeParse(token).success) {
    try {
      preview = await withService((await context()).pool, (c) => previewInvitation(c, sha256Hex(token)));
    } catch (e) {
      if (!isAppError(e)) throw e;
    }
  }
  const viewer = await getViewer();
  return (
    <AuthCard>
      {!preview ? (
        <>
          <h1>Invitation not found</h1>
          <p className="muted">Check the link, or ask an admin for a new one.</p>
        </>
      ) : !preview.valid ? (
        <>
          <h1>This invitation is {preview.reason}</h1>
          <p className="muted">Ask an admin of {preview.workspaceName} for a new link.</p>
        </>
      ) : (
        <>
          <h1>Join {preview.workspaceName}</h1>
          <p>
            You are invited as <strong>{ROLE_LABELS[preview.role]}</strong>
            {preview.email ? ` (for ${preview.email})` : ""}.
          </p>
          <InviteForm token={token} signedInAs={viewer?.email ?? null} email={preview.email} />
        </>
      )}
    </AuthCard>
  );
}
