"use client";

import { loadCachedBytes } from "@facet/viewer";
import { useEffect, useState } from "react";
import { z } from "zod";
import { messageOf } from "@/components/api-client";

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** The faces file as the tessellator writes it (read from storage: checked, not trusted). */
export const facesFileSchema = z.object({
  faces: z.array(
    z.object({
      surface: z.string(),
      area: z.number(),
      direction: vec3.nullable(),
      origin: vec3.nullable(),
      radius: z.number().nullable(),
      bbox: z.object({ min: vec3, max: vec3 }),
    }),
  ),
  edges: z.array(
    z.object({
      faces: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
      convexity: z.enum(["convex", "concave", "smooth"]),
      angle: z.number(),
    }),
  ),
});
export type FacesFile = z.infer<typeof facesFileSchema>;

/**
 * A part's faces file (surface types, sizes, adjacency), kept by the browser under its content
 * address, checked against the schema. `error` says why it could not be read.
 */
export function useFacesFile(url: string, key: string): { file: FacesFile | null; error: string | null } {
  const [state, setState] = useState<{ file: FacesFile | null; error: string | null }>({ file: null, error: null });
  useEffect(() => {
    let cancelled = false;
    loadCachedBytes(url, key)
      .then((bytes) => {
        const parsed = facesFileSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
        if (!parsed.success) throw new Error("the faces file is not what the tessellator writes: reprocess the part");
        if (!cancelled) setState({ file: parsed.data, error: null });
      })
      .catch((e: unknown) => !cancelled && setState({ file: null, error: messageOf(e) }));
    return () => {
      cancelled = true;
    };
  }, [url, key]);
  return state;
}
