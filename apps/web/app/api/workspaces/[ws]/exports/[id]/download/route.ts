import { exportArchive } from "@facet/db";
import { NextResponse } from "next/server";
import { z } from "zod";
import { inWorkspace, methods, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/** A finished export's archive: a redirect to a short-lived URL of it in storage. */
const get = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const id = parseParam(params.id, z.uuid(), "export id");
  const archive = await run((c) => exportArchive(c, workspace.id, id));
  const { store } = await context();
  const url = await store.presignGet(archive.key, { expiresInSeconds: 600, downloadName: archive.fileName });
  return NextResponse.redirect(url.url, { status: 302, headers: { "Cache-Control": "no-store" } });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
