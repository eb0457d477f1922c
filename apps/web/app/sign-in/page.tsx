import { hasAnyUser } from "@facet/auth";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { context } from "@/lib/context.server";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (!(await hasAnyUser((await context()).pool))) redirect("/setup");
  const { next } = await searchParams;
  // only same-site paths: never an open redirect
  const target = next?.startsWith("/") && !next.startsWith("//") ? next : "/";
  return (
    <main className="centered">
      <div className="card auth-card stack">
        <div className="brand">
          <Logo /> Facet
        </div>
        <h1>Sign in</h1>
        <SignInForm next={target} />
        <p className="muted">New here? Ask an admin of your workspace for an invitation link.</p>
      </div>
    </main>
  );
}
