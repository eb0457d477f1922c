import { ANALYTICS_CSV_COLUMNS, analyticsCsvRows, csvLine, dayOf, parseAnalyticsFilter } from "@facet/core";
import { analyticsReport } from "@facet/db";
import { contentDisposition } from "@facet/storage";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/**
 * The workspace's analytics for a period (`from`, `to`: days, UTC, inclusive; the last 30 days by
 * default) and optionally one `dataset`: parts per status per day, throughput and active time per
 * annotator, review decisions per annotator and class, pre-label acceptance, class balance and queue
 * age. JSON, or with `format=csv` every figure as a row (section, day, subject, measure, value).
 * Admins: the figures come from the audit log and everyone's active time.
 */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "audit.read");
  const search = req.nextUrl.searchParams;
  const format = parseParam(search.get("format") ?? "json", z.enum(["json", "csv"]), "format");
  const now = new Date();
  const filter = parseAnalyticsFilter(search, dayOf(now), { ignore: ["format"] });
  const report = await run((c) => analyticsReport(c, workspace.id, filter, now));
  if (format === "json") return json(report);
  const csv = [ANALYTICS_CSV_COLUMNS, ...analyticsCsvRows(report)].map((row) => csvLine(row)).join("");
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(`analytics-${workspace.slug}-${filter.from}-${filter.to}.csv`),
      "Cache-Control": "no-store",
    },
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
