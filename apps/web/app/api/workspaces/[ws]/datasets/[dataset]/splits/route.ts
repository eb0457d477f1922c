import { splitConfigSchema } from "@facet/core";
import { findDataset, getSplitConfig, setSplitConfig, splitReport } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** The dataset's split configuration and its class balance per split. */
const get = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json(
    await run(async (c) => {
      const d = await findDataset(c, workspace.id, params.dataset);
      const [config, report] = await Promise.all([
        getSplitConfig(c, workspace.id, d.id),
        splitReport(c, workspace.id, d.id),
      ]);
      return { ...config, report };
    }),
  );
});

const put = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.curate");
  const { config } = await parseBody(req, z.object({ config: splitConfigSchema }).strict());
  await run(async (c) =>
    setSplitConfig(c, workspace.id, (await findDataset(c, workspace.id, params.dataset)).id, config),
  );
  return json({ config });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, PUT: put });
