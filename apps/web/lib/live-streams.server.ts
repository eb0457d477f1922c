import "server-only";
import { randomUUID } from "node:crypto";
import { apiKeyActive } from "@facet/auth";
import { AppError } from "@facet/core";
import {
  type Claims,
  closeEventStream,
  EVENT_STREAM_LIVE_SECONDS,
  getWorkspaceForMember,
  openEventStream,
  type RequestContext,
  touchEventStream,
  withUser,
} from "@facet/db";
import type { Caller } from "./api.server";
import { context } from "./context.server";
import { env } from "./env.server";
import { serverLog } from "./log.server";
import type { PartStreamOptions } from "./realtime/part-stream";
import { realtime } from "./realtime.server";

/** A stream ends after this long at most (or when the caller's token expires); EventSource reconnects. */
const MAX_STREAM_MS = 30 * 60_000;

/**
 * What keeps a live stream honest: it counts against the caller's cap of open streams (shared by
 * every web process), and it checks again that the caller may see the workspace (session or key
 * still valid, still a member) every FACET_STREAM_RECHECK_SECONDS and at once when their access
 * changes. The first failed check sends `error` and ends the stream.
 */
export async function guardLiveStream(input: {
  /** For the stream's log lines. */
  path: string;
  caller: Caller;
  claims: Claims;
  workspaceId: string;
  ctx: RequestContext;
}): Promise<{
  /** The stream's own id (a part stream names its presence rows with it). */
  id: string;
  options: Pick<
    PartStreamOptions,
    "checkAccess" | "recheckMs" | "subscribeAccess" | "onHeartbeat" | "onEnd" | "maxLifetimeMs" | "log"
  >;
}> {
  const { pool, auth } = await context();
  const e = env();
  const id = randomUUID();
  const opened = await openEventStream(pool, {
    id,
    userId: input.claims.sub,
    cap: e.FACET_MAX_EVENT_STREAMS_PER_USER,
  });
  if (!opened) {
    throw new AppError(
      "RATE_LIMITED",
      `you have ${e.FACET_MAX_EVENT_STREAMS_PER_USER} live pages open already: close some tabs and reload`,
      { retryAfterSeconds: EVENT_STREAM_LIVE_SECONDS },
    );
  }
  const apiKey = input.caller.apiKey;
  const exp = input.claims.exp;
  const expiresIn = typeof exp === "number" ? exp * 1000 - Date.now() : MAX_STREAM_MS;
  // (a token's own expiry needs no check here: the stream's lifetime ends with it)
  return {
    id,
    options: {
      // ends when the caller's token expires, and after MAX_STREAM_MS at most: EventSource reconnects
      maxLifetimeMs: Math.max(1000, Math.min(MAX_STREAM_MS, expiresIn)),
      log: (message, error) =>
        serverLog.warn(`live events: ${message}`, {
          workspace_id: input.workspaceId,
          error: error === undefined ? undefined : error instanceof Error ? error.message : String(error),
        }),
      recheckMs: e.FACET_STREAM_RECHECK_SECONDS * 1000,
      checkAccess: async () => {
        const valid = apiKey ? await apiKeyActive(pool, apiKey.id) : await auth.sessionActive(input.claims);
        if (!valid) throw new AppError("SESSION_REVOKED", "this session has ended: sign in again");
        // NOT_A_MEMBER once removed from the workspace
        await withUser(pool, input.claims, (c) => getWorkspaceForMember(c, input.workspaceId), input.ctx);
      },
      subscribeAccess: (listener) => realtime().subscribeUser(input.claims.sub, listener),
      onHeartbeat: () => touchEventStream(pool, id),
      onEnd: () => closeEventStream(pool, id),
    },
  };
}

/** The response that carries a stream of server-sent events. */
export function eventStreamResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: compression would buffer the stream
      "Cache-Control": "no-cache, no-store, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}
