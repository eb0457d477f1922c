import { uuidSchema } from "@facet/core";
import { setDatasetLabelSchema } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/**
 * Label the dataset (by id or name) with this schema version: admins only; refused (CONFLICT) while
 * the dataset's current labels use classes the version lacks.
 */
const put = route<{ ws: string; id: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "schemas.manage");
  const schemaId = parseParam(params.id, uuidSchema, "id");
  const result = await run((c) =>
    setDatasetLabelSchema(c, { workspaceId: workspace.id, dataset: params.dataset, schemaId }),
  );
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ PUT: put });
