import { annotationDocumentSchema, faceCheckSchema, MAX_FACES, uuidSchema } from "@facet/core";
import { appendRevision, assertPartInWorkspace, latestRevision } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z
  .object({
    document: annotationDocumentSchema,
    source: z.enum(["human", "import"]).default("human"),
    expectedRevision: z.number().int().nonnegative().optional(),
    /**
     * One per face: what the annotator did with the pre-label there (`confirmed`, `seen`; the
     * database works out `changed` and counts anything else as unseen).
     */
    faceChecks: z.array(faceCheckSchema).max(MAX_FACES).optional(),
  })
  .refine((b) => !b.faceChecks || b.faceChecks.length === b.document.labels.length, {
    message: "faceChecks needs one entry per face, as labels has",
    path: ["faceChecks"],
  });

/** The part's current labels (its latest revision), or null. */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const revision = await run(async (c) => {
    await assertPartInWorkspace(c, workspace.id, partId); // NOT_FOUND for a part of another workspace
    return latestRevision(c, workspace.id, partId);
  });
  return json({ revision });
});

/** Append a revision (append-only; RLS: engineers, admins, or the annotator holding the part). */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(
    req,
    params.ws,
    input.source === "import" ? "parts.upload" : "parts.claim",
  );
  const created = await run((c) =>
    appendRevision(c, {
      workspaceId: workspace.id,
      partId,
      document: input.document,
      source: input.source,
      ...(input.expectedRevision !== undefined ? { expectedRevision: input.expectedRevision } : {}),
      ...(input.faceChecks ? { faceChecks: input.faceChecks } : {}),
    }),
  );
  return json({ revision: created }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
