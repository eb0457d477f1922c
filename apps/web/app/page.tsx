import { hasAnyUser } from "@facet/auth";
import { listMyWorkspaces } from "@facet/db";
import { redirect } from "next/navigation";
import { context } from "@/lib/context.server";
import { asUser, getViewer } from "@/lib/session.server";

export const dynamic = "force-dynamic";

/** Where to go: set-up on a fresh installation, sign-in, or the first workspace. */
export default async function Home() {
  if (!(await hasAnyUser((await context()).pool))) redirect("/setup");
  const viewer = await getViewer();
  if (!viewer) redirect("/sign-in");
  const workspaces = await asUser(viewer, (c) => listMyWorkspaces(c));
  const first = workspaces[0];
  if (!first) redirect("/sign-in?reason=no-workspace");
  redirect(`/w/${first.slug}`);
}
