import type { Taxonomy } from "@facet/core";

/**
 * What a workspace page hands its part stage: the part and its holder, the caller, the geometry
 * (short-lived URLs and the content keys the browser keeps the bytes under) and the label schema.
 */
export interface StagedPart {
  workspace: string;
  partId: string;
  partName: string;
  userId: string;
  status: string;
  annotatorId: string | null;
  annotatorEmail: string | null;
  meshUrl: string;
  meshKey: string;
  facesUrl: string;
  facesKey: string;
  faceSignature: string;
  faceCount: number;
  taxonomy: Taxonomy;
}
