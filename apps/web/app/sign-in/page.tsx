import { hasAnyUser } from "@facet/auth";
import { safeRedirectPath } from "@facet/core";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth-card";
import { context } from "@/lib/context.server";
import { getViewer } from "@/lib/session.server";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; reason?: string }>;
}) {
  if (!(await hasAnyUser((await context()).pool))) redirect("/setup");
  const { next, reason } = await searchParams;
  // only paths of this site: never an open redirect (`//evil`, `/\evil`, encoded variants)
  const target = safeRedirectPath(next);
  const viewer = await getViewer();
  if (viewer && reason !== "no-workspace") redirect(target);
  return (
    <AuthCard>
      <h1>Sign in</h1>
      {viewer && reason === "no-workspace" && (
        <p role="alert" className="error">
          {viewer.email} is not a member of any workspace any more. Sign in with another account, or ask an admin for an
          invitation link.
        </p>
      )}
      <SignInForm next={target} />
      <p className="muted">New here? Ask an admin of your workspace for an invitation link.</p>
    </AuthCard>
  );
}
