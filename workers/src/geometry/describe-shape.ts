import { type FacesDocument, faceMeshFromGlb, shapeDescriptor, surfaceTypes } from "@facet/geometry";
import { renderThumbnail } from "../thumbnail";

/** What the catalog knows of a shape beside its mesh: its kinds of surface, its fingerprint, its thumbnail. */
export interface ShapeDescription {
  surfaceTypes: string[];
  shapeDescriptor: number[];
  /** PNG bytes. */
  thumbnail: Uint8Array;
}

/**
 * The description of a tessellated shape, from its faces document and GLB. Pure computation (about
 * 20 ms a part, most of it the fingerprint's all-pairs distances): the geometry process does it
 * right after the mesh, beside the kernel, so that the worker's own thread only stores and records.
 */
export function describeShape(document: FacesDocument, glb: Uint8Array): ShapeDescription {
  const mesh = faceMeshFromGlb(glb);
  return {
    surfaceTypes: surfaceTypes(document),
    shapeDescriptor: shapeDescriptor(document, mesh),
    thumbnail: renderThumbnail(document, mesh),
  };
}
