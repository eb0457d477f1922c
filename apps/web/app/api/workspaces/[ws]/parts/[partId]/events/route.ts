import { uuidSchema } from "@facet/core";
import { getPartLiveState, leavePresence, listPresence, touchPresence } from "@facet/db";
import { inWorkspace, methods, parseParam, route } from "@/lib/api.server";
import { eventStreamResponse, guardLiveStream } from "@/lib/live-streams.server";
import { partEventStream, realtime } from "@/lib/realtime.server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Live updates of a part as server-sent events: `hello` {status, annotatorId, leaseExpiresAt,
 * latestRevision, presence}, then `status` | `lease` | `revision` | `presence` as they happen.
 * While the stream is open the caller counts as having the part open (presence).
 */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { caller, workspace, claims, ctx, run } = await inWorkspace(req, params.ws);
  await run((c) => getPartLiveState(c, workspace.id, partId)); // visible to the caller, or NOT_FOUND
  const live = await guardLiveStream({ path: req.nextUrl.pathname, caller, claims, workspaceId: workspace.id, ctx });
  const connectionId = live.id;
  const hub = realtime();
  const stream = partEventStream({
    signal: req.signal,
    subscribe: (listener) => hub.subscribe(partId, listener),
    hello: () =>
      run(async (c) => ({
        ...(await getPartLiveState(c, workspace.id, partId)),
        presence: await listPresence(c, partId),
      })),
    touch: () =>
      run(async (c) => {
        await touchPresence(c, { partId, connectionId });
        return listPresence(c, partId);
      }),
    presence: () => run((c) => listPresence(c, partId)),
    leave: () => run((c) => leavePresence(c, { partId, connectionId })),
    ...live.options,
  });
  return eventStreamResponse(stream);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
