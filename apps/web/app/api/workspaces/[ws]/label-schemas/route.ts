import { labelSchemaNameSchema, taxonomySchema } from "@facet/core";
import { createLabelSchema, listLabelSchemas } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ name: labelSchemaNameSchema, taxonomy: taxonomySchema }).strict();

/** The workspace's label schemas, every version, with the datasets on each. */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({ schemas: await run((c) => listLabelSchemas(c, workspace.id)) });
});

/** A new schema (version 1): admins only. */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "schemas.manage");
  const b = await parseBody(req, body);
  const schema = await run((c) => createLabelSchema(c, { workspaceId: workspace.id, ...b }));
  return json({ schema }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
