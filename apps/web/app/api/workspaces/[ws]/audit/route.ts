import { csvLine, parseAuditFilter } from "@facet/core";
import { AUDIT_PAGE_MAX, type AuditEvent, queryAuditLog } from "@facet/db";
import { contentDisposition } from "@facet/storage";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const OWN = ["cursor", "limit", "format"] as const;
/** Events a CSV download holds at most (newest first): a narrower filter gets the rest. */
const CSV_MAX_EVENTS = 100_000;
const CSV_COLUMNS = [
  "id",
  "created_at",
  "actor_email",
  "actor_kind",
  "action",
  "target_table",
  "target_id",
  "target_name",
  "part_name",
  "data",
] as const;

const csvOf = (e: AuditEvent) =>
  csvLine([
    e.id,
    e.createdAt,
    e.actorEmail,
    e.actorKind,
    e.action,
    e.targetTable,
    e.targetId,
    e.targetName,
    e.partName,
    JSON.stringify(e.data),
  ]);

/**
 * The workspace's audit log, newest first, filtered (`actor`, `action` or a prefix such as `part.`,
 * `part`, `dataset`, `period=YYYY-MM-DD..YYYY-MM-DD`): a page as JSON (`cursor`, `limit`), or with
 * `format=csv` every matching event as a CSV download, read a page at a time while it is sent.
 * Admins (keys with the admin scope).
 */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "audit.read");
  const search = req.nextUrl.searchParams;
  const filter = parseAuditFilter(search, { ignore: OWN });
  const format = parseParam(search.get("format") ?? "json", z.enum(["json", "csv"]), "format");
  const cursor = search.get("cursor");
  if (format === "json") {
    const limit = parseParam(search.get("limit") ?? "100", z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX), "limit");
    return json(await run((c) => queryAuditLog(c, workspace.id, { filter, cursor, limit })));
  }
  // the first page before the answer starts: a refusal is still a JSON error, not a broken download
  let page = await run((c) => queryAuditLog(c, workspace.id, { filter, cursor, limit: AUDIT_PAGE_MAX }));
  let sent = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine([...CSV_COLUMNS])));
    },
    async pull(controller) {
      const events = page.events.slice(0, CSV_MAX_EVENTS - sent);
      sent += events.length;
      controller.enqueue(encoder.encode(events.map(csvOf).join("")));
      const next = page.nextCursor;
      if (!next || sent >= CSV_MAX_EVENTS) {
        controller.close();
        return;
      }
      page = await run((c) => queryAuditLog(c, workspace.id, { filter, cursor: next, limit: AUDIT_PAGE_MAX }));
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(`audit-${workspace.slug}.csv`),
      "Cache-Control": "no-store",
    },
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
