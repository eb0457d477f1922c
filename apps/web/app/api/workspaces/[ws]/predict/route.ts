import { AppError, modelKey, uuidSchema } from "@facet/core";
import { getPart } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, readBodyBytes, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";
import { looksLikeStep } from "@/lib/ingest/ingest";
import { findDataset, onlyLearningDataset, usableModel } from "@/lib/learning/models.server";
import { facesOfStep, predictWith, storedFaces } from "@/lib/learning/predict.server";

export const dynamic = "force-dynamic";

/** STEP files sent here are tessellated in the web process: at most this many bytes. */
export const MAX_PREDICT_STEP_BYTES = 32 * 1024 * 1024;

const version = z.string().trim().min(1).max(64);
const partBody = z.strictObject({ partId: uuidSchema, model: version.optional() });
const stepQuery = z.strictObject({ dataset: z.string().trim().min(1).max(200).optional(), model: version.optional() });
const STEP_TYPES = ["application/step", "application/octet-stream", "model/step", "application/p21"];

/**
 * Per-face labels and feature instances by a dataset's learned pre-labeler, for scripts and CAD
 * plug-ins (any member; API keys with `read`). Either JSON `{partId, model?}` (a stored part: its
 * faces.json, in its dataset's model) or a STEP file as the body (`Content-Type: application/step` or
 * `application/octet-stream`, `?dataset=<id or name>&model=<version>`), tessellated here. Without
 * `model`, the dataset's model in use. Answers `{model: {id, version}, classes, faces, instances, …}`.
 */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    const input = await parseBody(req, partBody);
    const { part, model } = await run(async (c) => {
      const part = await getPart(c, workspace.id, input.partId);
      const model = await usableModel(
        c,
        workspace.id,
        { id: part.datasetId, name: part.datasetName },
        input.model ?? null,
      );
      return { part, model };
    });
    if (!part.geometry) {
      throw new AppError(
        "CONFLICT",
        `the part "${part.name}" is not tessellated yet (${part.status}): try again later`,
      );
    }
    const { store } = await context();
    const faces = await storedFaces(store, part.geometry.facesKey);
    return json(await predictWith(store, fileOf(model), faces, null));
  }
  if (!STEP_TYPES.includes(type)) {
    throw new AppError(
      "NOT_A_STEP_FILE",
      `send a STEP file (Content-Type application/step or application/octet-stream) or JSON {partId}; got ${type || "no Content-Type"}`,
    );
  }
  const query = parseParam(Object.fromEntries(req.nextUrl.searchParams), stepQuery, "query");
  const model = await run(async (c) => {
    const dataset = query.dataset
      ? await findDataset(c, workspace.id, query.dataset)
      : await onlyLearningDataset(c, workspace.id);
    return usableModel(c, workspace.id, dataset, query.model ?? null);
  });
  const bytes = await readBodyBytes(req, MAX_PREDICT_STEP_BYTES);
  if (bytes.byteLength === 0)
    throw new AppError("EMPTY_FILE", "the request has no file: send the STEP file as the body");
  if (!looksLikeStep(bytes.subarray(0, 256))) {
    throw new AppError("NOT_A_STEP_FILE", "this is not a STEP file: it does not start with ISO-10303-21");
  }
  const { document, ms } = await facesOfStep(new Uint8Array(bytes));
  return json(await predictWith((await context()).store, fileOf(model), document, ms));
});

const fileOf = (m: { sha256: string; modelVersion: string }) => ({
  key: modelKey(m.sha256),
  sha256: m.sha256,
  version: m.modelVersion,
});

export const { GET, POST, PUT, PATCH, DELETE } = methods<{ ws: string }>({ POST: post });
