import { z } from "zod";

const featureKey = z.string().regex(/^[a-z][a-z0-9_]*$/);
const share = z.number().min(0).max(1);

/**
 * What the pre-labelers said about a part, stored with the revision they wrote: the models that
 * answered (and those that failed, with why), the confidence of the combined answer for each face,
 * and, when several models answered, each model's label per face and how much they disagreed.
 */
export const prelabelSummarySchema = z
  .object({
    models: z.array(z.object({ id: z.string().min(1).max(64), version: z.string().min(1).max(64) })).min(1),
    failed: z.array(z.object({ id: z.string().min(1).max(64), reason: z.string().max(1000) })).default([]),
    /** Per face: the probability of the label given (the combined models' top class). */
    confidence: z.array(share),
    /** Per face, with two or more models: the share of models whose top class differs from the label. */
    disagreement: z.array(share).optional(),
    /** Per model id, with two or more models: its top class per face (null: a class the schema lacks). */
    predictions: z.record(z.string(), z.array(featureKey.nullable())).optional(),
  })
  .superRefine((p, ctx) => {
    const n = p.confidence.length;
    if (p.disagreement && p.disagreement.length !== n)
      ctx.addIssue({ code: "custom", path: ["disagreement"], message: `expected ${n} values, one per face` });
    for (const [model, labels] of Object.entries(p.predictions ?? {}))
      if (labels.length !== n)
        ctx.addIssue({ code: "custom", path: ["predictions", model], message: `expected ${n} labels, one per face` });
  });

/**
 * The most faces a part may have (far above any real part: the NIST test parts have under 1 000,
 * large assemblies tens of thousands). Face indices beyond it are refused at the edge, as numbers
 * PostgreSQL's integer columns could not hold would otherwise be.
 */
export const MAX_FACES = 10_000_000;
export const faceIndexSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_FACES - 1, `a face index is below ${MAX_FACES}`);

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
    faceCount: z.number().int().positive().max(MAX_FACES),
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
          faces: z.array(faceIndexSchema).min(1),
          params: z.record(z.string(), z.number()).default({}),
          /** Faces marked as the instance's bottom (they orient its bounding box); among its faces. */
          bottomFaces: z.array(faceIndexSchema).optional(),
          /** Parameter keys a person typed: measurement never overwrites them. */
          manualParams: z.array(z.string()).optional(),
          confidence: z.number().min(0).max(1).optional(),
        }),
      )
      .default([]),
    /** Where the labels came from, for imports (dataset and class names). */
    provenance: z.record(z.string(), z.unknown()).optional(),
    /** On pre-label revisions: which models answered, and how sure they were of each face. */
    prelabel: prelabelSummarySchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.labels.length !== d.faceCount) {
      ctx.addIssue({
        code: "custom",
        path: ["labels"],
        message: `expected ${d.faceCount} labels, one per face, got ${d.labels.length}`,
      });
    }
    if (d.prelabel && d.prelabel.confidence.length !== d.faceCount) {
      ctx.addIssue({
        code: "custom",
        path: ["prelabel", "confidence"],
        message: `expected ${d.faceCount} confidences, one per face, got ${d.prelabel.confidence.length}`,
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
export type PrelabelSummary = z.infer<typeof prelabelSummarySchema>;
