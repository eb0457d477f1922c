import { schemaMappingSchema, taxonomySchema, uuidSchema } from "@facet/core";
import { createLabelSchemaVersion } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ taxonomy: taxonomySchema, mapping: schemaMappingSchema.default({}) }).strict();

/**
 * The next version of this version's schema: its classes, and how the classes of this version map to
 * them (renames, merges, splits; every dropped class mapped). Admins only; applying the mapping to
 * existing labels is a separate step (…/apply).
 */
const post = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "schemas.manage");
  const fromId = parseParam(params.id, uuidSchema, "id");
  const b = await parseBody(req, body);
  const schema = await run((c) => createLabelSchemaVersion(c, { workspaceId: workspace.id, fromId, ...b }));
  return json({ schema }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
