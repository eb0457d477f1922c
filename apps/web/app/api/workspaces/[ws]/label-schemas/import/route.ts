import { labelSchemaFileSchema, labelSchemaNameSchema } from "@facet/core";
import { createLabelSchema } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** A schema file as exported (checked whole: every class, colour, hotkey, parent and crosswalk), and an optional new name. */
const body = z.object({ file: labelSchemaFileSchema, name: labelSchemaNameSchema.optional() }).strict();

/** Import a schema file as a new schema (version 1) under its name or the one given: admins only. */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "schemas.manage");
  const b = await parseBody(req, body);
  const schema = await run((c) =>
    createLabelSchema(c, { workspaceId: workspace.id, name: b.name ?? b.file.name, taxonomy: b.file.taxonomy }),
  );
  return json({ schema }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
