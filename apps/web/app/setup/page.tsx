import { hasAnyUser } from "@facet/auth";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth-card";
import { context } from "@/lib/context.server";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up" };

export default async function SetupPage() {
  if (await hasAnyUser((await context()).pool)) redirect("/");
  return (
    <AuthCard>
      <h1>Create the first admin</h1>
      <p className="muted">
        This installation has no accounts yet. The first account becomes admin of a first workspace; everyone else joins
        through invitation links.
      </p>
      <SetupForm />
    </AuthCard>
  );
}
