import "server-only";
import type { Taxonomy } from "@facet/core";
import type { LabellingContext } from "@facet/db";
import { geometryUrls } from "@/lib/context.server";
import type { StagedPart } from "./staged-part";

/**
 * The stage's props for a workspace page, from the part's labelling context: short-lived geometry
 * URLs for this member and the content keys the browser caches the bytes under.
 */
export async function stagedPart(
  workspace: string,
  userId: string,
  ctx: LabellingContext & { geometry: NonNullable<LabellingContext["geometry"]>; taxonomy: Taxonomy },
): Promise<StagedPart> {
  const { meshUrl, facesUrl } = await geometryUrls(ctx.geometry);
  return {
    workspace,
    partId: ctx.part.id,
    partName: ctx.part.name,
    userId,
    status: ctx.part.status,
    annotatorId: ctx.part.annotatorId,
    annotatorEmail: ctx.part.annotatorEmail,
    meshUrl,
    meshKey: ctx.geometry.meshKey,
    facesUrl,
    facesKey: ctx.geometry.facesKey,
    faceSignature: ctx.geometry.faceSignature,
    faceCount: ctx.geometry.faceCount,
    taxonomy: ctx.taxonomy,
  };
}
