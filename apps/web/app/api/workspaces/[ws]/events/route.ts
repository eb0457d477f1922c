import { partCountsByStatus, unreadNotifications } from "@facet/db";
import { inWorkspace, methods, route } from "@/lib/api.server";
import { eventStreamResponse, guardLiveStream } from "@/lib/live-streams.server";
import { partEventStream, realtime } from "@/lib/realtime.server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Live updates of a workspace as server-sent events, for every page of it: `hello` {counts, unread},
 * then `status` {partId, status, counts} when a part changes status (queue and review counts),
 * `activity` {partId} when someone opens or closes a part, `comment` {partId, commentId, op}, and
 * `notification` {unread} for the caller's own notifications only.
 */
const get = route<{ ws: string }>(async (req, params) => {
  const { caller, workspace, claims, ctx, run } = await inWorkspace(req, params.ws);
  const live = await guardLiveStream({ path: req.nextUrl.pathname, caller, claims, workspaceId: workspace.id, ctx });
  const hub = realtime();
  const state = () =>
    run(async (c) => ({
      counts: await partCountsByStatus(c, workspace.id),
      unread: await unreadNotifications(c, workspace.id),
    }));
  const stream = partEventStream({
    signal: req.signal,
    subscribe: (listener) => hub.subscribeWorkspace(workspace.id, listener),
    hello: async () => ({ ...(await state()), presence: [] }),
    touch: async () => [],
    presence: async () => [],
    leave: async () => {},
    forward: async (event) => {
      switch (event.kind) {
        case "status":
          return {
            event: "status",
            data: { partId: event.partId, status: event.status, counts: (await state()).counts },
          };
        case "presence":
          return { event: "activity", data: { partId: event.partId } };
        case "comment":
          return { event: "comment", data: { partId: event.partId, commentId: event.commentId, op: event.op } };
        case "notification":
          if (event.userId !== claims.sub) return null;
          return { event: "notification", data: { partId: event.partId, unread: (await state()).unread } };
        default:
          return null;
      }
    },
    ...live.options,
  });
  return eventStreamResponse(stream);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
