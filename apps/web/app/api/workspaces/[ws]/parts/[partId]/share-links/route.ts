import { newShareLinkSchema, uuidSchema } from "@facet/core";
import { createShareLink, getPartLiveState, listShareLinks } from "@facet/db";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";
import { env } from "@/lib/env.server";

export const dynamic = "force-dynamic";

const list = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.share");
  const links = await run(async (c) => {
    await getPartLiveState(c, workspace.id, partId);
    return listShareLinks(c, partId);
  });
  return json({ links });
});

/** A read-only or comment link to this part: the URL (with its token) is in this answer only. */
const create = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const input = await parseBody(req, newShareLinkSchema);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.share");
  const { link, token } = await run((c) => createShareLink(c, { workspaceId: workspace.id, partId, link: input }));
  // the configured public address, like invitation links (behind a proxy the request's origin is internal)
  return json({ link, token, url: new URL(`/s/${token}`, env().FACET_PUBLIC_URL).toString() }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: list, POST: create });
