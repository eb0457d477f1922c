import { sha256Hex } from "@facet/auth";
import { previewInvitation, withService } from "@facet/db";
import { json, methods, parseParam, route } from "@/lib/api.server";
import { limitInvitations } from "@/lib/auth-limits.server";
import { context } from "@/lib/context.server";
import { invitationTokenSchema } from "@/lib/schemas";

export const dynamic = "force-dynamic";

/** What a link offers (workspace, role), shown before the person signs up or in. */
const get = route<{ token: string }>(async (req, params) => {
  const token = parseParam(params.token, invitationTokenSchema, "token");
  await limitInvitations(req);
  const preview = await withService((await context()).pool, (c) => previewInvitation(c, sha256Hex(token)));
  return json({ invitation: preview });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
