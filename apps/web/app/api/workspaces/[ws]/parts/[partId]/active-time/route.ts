import { MAX_ACTIVE_REPORT_MS, uuidSchema } from "@facet/core";
import { myActiveTime, recordActiveTime } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z
  .object({
    /** The workbench page's session: one per tab and part. */
    session: uuidSchema,
    /** Active milliseconds measured since the last report. */
    activeMs: z.number().int().min(1).max(MAX_ACTIVE_REPORT_MS),
  })
  .strict();

/**
 * The workbench's active-time meter reports here (every 15 s, and with a beacon when the page is
 * left or the part handed in): time counted only while the tab was visible and focused and the
 * person did something within the last minute. The database keeps it bounded (only the holder, at
 * most 10 minutes a report, never more than the wall time since the claim). Answers the session's
 * total and the caller's total on the part.
 */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.claim");
  const [sessionMs, partMs] = await run(async (c) => [
    await recordActiveTime(c, {
      workspaceId: workspace.id,
      partId,
      sessionId: input.session,
      activeMs: input.activeMs,
    }),
    await myActiveTime(c, workspace.id, partId),
  ]);
  return json({ sessionMs, partMs });
});

/** The caller's own active time on the part (ms). */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({ partMs: await run((c) => myActiveTime(c, workspace.id, partId)) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
