import { uuidSchema } from "@facet/core";
import { erasePerson } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/** Erasure cannot be undone: the request says so explicitly. */
const body = z.object({ confirm: z.literal(true, { message: 'send {"confirm": true}: erasure cannot be undone' }) });

/**
 * Admins erase a person's personal data on request (their name, email and addresses, everywhere,
 * the audit log's copies included); their work stays, attributed to an anonymised member whose label
 * is returned. Only someone who belongs to no other workspace (CONFLICT otherwise, saying so); not
 * yourself. The account can no longer sign in; its sessions end.
 */
const erase = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  const { label } = await run((c) => erasePerson(c, { workspaceId: workspace.id, userId }));
  // the database deleted the embedded sessions already; a hosted auth service ends its own here
  const sessionsEnded = await (await context()).auth.endSessions(userId);
  return json({ userId, label, sessionsEnded });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: erase });
