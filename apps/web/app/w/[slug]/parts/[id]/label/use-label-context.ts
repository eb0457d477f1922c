"use client";

import { buildFaceGraph, type FaceGraph, type LabelContext, type Taxonomy } from "@facet/core";
import { type FaceModel, facePoints } from "@facet/viewer";
import { useMemo, useRef } from "react";
import type { FacesFile } from "@/lib/workbench/faces-file";

/**
 * What the labelling operations need to know of the part: the face adjacency (from the faces file),
 * the schema, and each face's points once the mesh is drawn (measured parameters), cached per face.
 */
export function useLabelContext(
  file: FacesFile | null,
  model: FaceModel | null,
  taxonomy: Taxonomy,
): { graph: FaceGraph | null; ctx: LabelContext | null } {
  const graph = useMemo(() => (file ? buildFaceGraph(file) : null), [file]);
  const pointsCache = useRef(new Map<number, Float32Array>());
  const ctx = useMemo<LabelContext | null>(() => {
    if (!graph) return null;
    const cache = pointsCache.current;
    return {
      graph,
      taxonomy,
      ...(model
        ? {
            pointsOf: (f: number) => {
              let p = cache.get(f);
              if (!p) {
                p = facePoints(model, f);
                cache.set(f, p);
              }
              return p;
            },
          }
        : {}),
    };
  }, [graph, model, taxonomy]);
  return { graph, ctx };
}
