import { labelSchemaFile, uuidSchema } from "@facet/core";
import { getLabelSchema } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** One schema version; with `?download=1`, as a schema file to save (the import format). */
const get = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const id = parseParam(params.id, uuidSchema, "id");
  const schema = await run((c) => getLabelSchema(c, workspace.id, id));
  if (req.nextUrl.searchParams.get("download") !== "1") return json({ schema });
  const res = json(labelSchemaFile(schema));
  const file = `${schema.name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-|-$/g, "") || "schema"}-v${schema.version}.json`;
  res.headers.set("Content-Disposition", `attachment; filename="${file}"`);
  return res;
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
