import { blobKey, splitNameSchema } from "@facet/core";
import { resolveSnapshot, snapshotDocuments, snapshotParts } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const DOWNLOAD_SECONDS = 3600;

/**
 * A page of a snapshot's parts in part-id order (`after`: the last part id of the previous page;
 * `split`: one split's, `none` for those without one),
 * optionally with their annotation documents and short-lived download URLs of their STEP files.
 */
const get = route<{ ws: string; snapshot: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const q = req.nextUrl.searchParams;
  // a split's name, `none` for the parts without one, or left out for all
  const splitParam = q.get("split");
  const split =
    splitParam === null ? undefined : splitParam === "none" ? null : parseParam(splitParam, splitNameSchema, "split");
  const after = q.get("after") === null ? null : parseParam(q.get("after"), z.uuid(), "after");
  const limit = parseParam(q.get("limit") ?? "500", z.coerce.number().int().min(1).max(1000), "limit");
  const flag = (name: string) => parseParam(q.get(name) ?? "0", z.enum(["0", "1"]), name) === "1";
  const withDocuments = flag("documents");
  const withUrls = flag("urls");
  const { parts, documents } = await run(async (c) => {
    const s = await resolveSnapshot(c, workspace.id, params.snapshot);
    const page = await snapshotParts(c, { workspaceId: workspace.id, snapshotId: s.id, split, after, limit });
    return {
      parts: page,
      documents: withDocuments
        ? await snapshotDocuments(
            c,
            workspace.id,
            page.map((p) => p.revisionId),
          )
        : null,
    };
  });
  const { store } = await context();
  const out = await Promise.all(
    parts.map(async (p) => ({
      ...p,
      ...(documents ? { document: documents.get(p.revisionId) ?? null } : {}),
      ...(withUrls
        ? {
            download: await store.presignGet(blobKey(p.blobSha256), {
              expiresInSeconds: DOWNLOAD_SECONDS,
              downloadName: `${p.blobSha256}.step`,
            }),
          }
        : {}),
    })),
  );
  return json({ parts: out, next: parts.length === limit ? (parts.at(-1)?.partId ?? null) : null });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
