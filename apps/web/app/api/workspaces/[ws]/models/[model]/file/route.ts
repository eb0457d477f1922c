import { AppError, modelKey, uuidSchema } from "@facet/core";
import { getPrelabelModel } from "@facet/db";
import { NextResponse } from "next/server";
import { inWorkspace, methods, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

type Params = { ws: string; model: string };

/**
 * A learned model's file (packages/prelabel encodeModel's bytes), for scripts: content-addressed, so
 * its SHA-256 is the ETag and it never changes. NOT_FOUND for a version that has no file (training, failed).
 */
const get = route<Params>(async (req, params) => {
  const modelId = parseParam(params.model, uuidSchema, "model");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const model = await run((c) => getPrelabelModel(c, workspace.id, modelId));
  if (!model.modelSha256 || !model.modelVersion) {
    throw new AppError("NOT_FOUND", `model v${model.version} has no file (${model.status})`);
  }
  const { store } = await context();
  const bytes = await store.read(modelKey(model.modelSha256));
  return new NextResponse(new Uint8Array(bytes), {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": `attachment; filename="facet-learned-${model.modelVersion}.bin"`,
      ETag: `"${model.modelSha256}"`,
      "X-Facet-Model-Version": model.modelVersion,
      "Cache-Control": "private, max-age=31536000, immutable",
    },
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods<Params>({ GET: get });
