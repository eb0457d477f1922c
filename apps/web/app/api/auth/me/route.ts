import { listMyWorkspaces, withUser } from "@facet/db";
import { json, methods, requireUser, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const get = route(async (req) => {
  const claims = await requireUser(req);
  const workspaces = await withUser((await context()).pool, claims, (c) => listMyWorkspaces(c));
  return json({ user: { id: claims.sub, email: claims.email ?? null }, workspaces });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
