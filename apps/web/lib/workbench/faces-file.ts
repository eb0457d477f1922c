import { z } from "zod";

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
export type FaceRecord = FacesFile["faces"][number];

/** The faces file from its bytes; throws with the reason when it is not what the tessellator writes. */
export function parseFacesFile(bytes: ArrayBuffer): FacesFile {
  const parsed = facesFileSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  if (!parsed.success) throw new Error("the faces file is not what the tessellator writes: reprocess the part");
  return parsed.data;
}

/** What a face is, for a hover line: "face 12", its surface type, area and radius (when it has one). */
export function faceFacts(face: number, info: FaceRecord): string[] {
  const facts = [`face ${face}`, info.surface, `area ${info.area.toPrecision(4)} mm²`];
  if (info.radius !== null) facts.push(`radius ${info.radius.toPrecision(4)} mm`);
  return facts;
}
