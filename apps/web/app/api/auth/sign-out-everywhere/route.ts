import { recordAuditEvent, withUser } from "@facet/db";
import { cookieJar, json, methods, requestContext, requirePerson, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/**
 * End every session of the caller, in every browser and device (API keys are credentials of their
 * own: revoke them separately). Open live streams of those sessions close at once.
 */
const post = route(async (req) => {
  const caller = await requirePerson(req, null);
  const { pool, auth } = await context();
  await withUser(
    pool,
    caller.claims,
    (c) => recordAuditEvent(c, { workspaceId: null, action: "auth.signed_out_everywhere" }),
    requestContext(req),
  );
  const ended = await auth.endSessions(caller.claims.sub);
  await auth.signOut(await cookieJar());
  return json({ signedOut: true, sessionsEnded: ended });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
