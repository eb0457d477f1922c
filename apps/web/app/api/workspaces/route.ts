import { DEFAULT_TAXONOMY, slugify, workspaceNameSchema } from "@facet/core";
import { createWorkspace, listMyWorkspaces, withUser } from "@facet/db";
import { z } from "zod";
import { json, methods, parseBody, requestContext, requirePerson, requireUser, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const get = route(async (req) => {
  const claims = await requireUser(req);
  return json({ workspaces: await withUser((await context()).pool, claims, (c) => listMyWorkspaces(c)) });
});

const body = z.object({ name: workspaceNameSchema });

/** A new workspace with the caller as its admin: a signed-in person, or a personal API key with `admin`. */
const post = route(async (req) => {
  const { claims } = await requirePerson(req, "admin");
  const { name } = await parseBody(req, body);
  const workspace = await withUser(
    (await context()).pool,
    claims,
    (c) => createWorkspace(c, { name, slug: slugify(name), taxonomy: DEFAULT_TAXONOMY }),
    requestContext(req),
  );
  return json({ workspace }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
