import { json, methods, route } from "@/lib/api.server";
import { loadSharedPart } from "@/lib/share.server";

export const dynamic = "force-dynamic";

/**
 * What a share link shows: its part (name, status, geometry URLs), the current labels and the
 * comments. SHARE_LINK_INVALID (410) when it was revoked, expired or never existed.
 */
const get = route<{ token: string }>(async (_req, params) => {
  const shared = await loadSharedPart(params.token);
  const { part, revision, taxonomy, geometry } = shared.part;
  return json({
    access: shared.link.access,
    expiresAt: shared.link.expiresAt,
    part: { id: part.id, name: part.name, status: part.status, datasetName: part.datasetName },
    geometry: geometry && { faceCount: geometry.faceCount, meshUrl: shared.meshUrl, facesUrl: shared.facesUrl },
    taxonomy,
    labels: revision && { revisionNo: revision.revisionNo, document: revision.document },
    comments: shared.comments,
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
