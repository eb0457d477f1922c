import { z } from "zod";

/**
 * An annotation revision's document: a label per B-rep face (by face index, in the numbering the
 * face signature identifies), and feature instances grouping faces. Revisions are append-only; the
 * current state of a part is its latest revision.
 */
export const annotationDocumentSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** The face numbering the labels refer to (part_geometry.face_signature). */
    faceSignature: z.string().min(1),
    faceCount: z.number().int().positive(),
    /** Feature key per face index; null = not labelled yet. */
    labels: z.array(
      z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/)
        .nullable(),
    ),
    instances: z
      .array(
        z.object({
          id: z.string().min(1).max(64),
          feature: z.string().regex(/^[a-z][a-z0-9_]*$/),
          faces: z.array(z.number().int().nonnegative()).min(1),
          params: z.record(z.string(), z.number()).default({}),
          /** Faces marked as the instance's bottom (they orient its bounding box); among its faces. */
          bottomFaces: z.array(z.number().int().nonnegative()).optional(),
          /** Parameter keys a person typed: measurement never overwrites them. */
          manualParams: z.array(z.string()).optional(),
          confidence: z.number().min(0).max(1).optional(),
        }),
      )
      .default([]),
    /** Where the labels came from, for imports (dataset and class names). */
    provenance: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.labels.length !== d.faceCount) {
      ctx.addIssue({
        code: "custom",
        path: ["labels"],
        message: `expected ${d.faceCount} labels, one per face, got ${d.labels.length}`,
      });
    }
    for (const inst of d.instances) {
      for (const f of inst.faces) {
        if (f >= d.faceCount)
          ctx.addIssue({ code: "custom", path: ["instances"], message: `face ${f} does not exist` });
      }
      const faces = new Set(inst.faces);
      for (const f of inst.bottomFaces ?? []) {
        if (!faces.has(f)) {
          ctx.addIssue({
            code: "custom",
            path: ["instances"],
            message: `bottom face ${f} of instance ${inst.id} is not one of its faces`,
          });
        }
      }
    }
  });

export type AnnotationDocument = z.infer<typeof annotationDocumentSchema>;
