import { AppError, uuidSchema } from "@facet/core";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** The parts of a dataset (id, name, status, face count), optionally one name; at most 10 000. */
const get = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const ref = params.dataset; // decoded once by the router: a `%` in a name is a `%`
  const byId = uuidSchema.safeParse(ref).success;
  const name = req.nextUrl.searchParams.get("name");
  const parts = await run(async (c) => {
    const ds = await c.query<{ id: string }>(
      `select id from public.datasets where workspace_id = $1 and ${byId ? "id = $2::uuid" : "name = $2"}`,
      [workspace.id, ref],
    );
    const dataset = ds.rows[0];
    if (!dataset) throw new AppError("NOT_FOUND", `no dataset "${ref}" in this workspace`);
    const { rows } = await c.query(
      `select p.id, p.name, p.status, p.failure_reason as "failureReason", (p.geometry ->> 'faceCount')::int as "faceCount"
       from public.parts p where p.dataset_id = $1 and ($2::text is null or p.name = $2)
       order by p.name limit 10000`,
      [dataset.id, name],
    );
    return rows;
  });
  return json({ parts });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
