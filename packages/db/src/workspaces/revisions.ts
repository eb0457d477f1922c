import { type AnnotationDocument, AppError, type FaceCheck } from "@facet/core";
import type { PoolClient } from "../pool";

export interface Revision {
  id: string;
  revisionNo: number;
  authorEmail: string | null;
  source: string;
  modelAssisted: boolean;
  document: AnnotationDocument;
  /** What the annotator did with each pre-labelled face (null without a pre-label, on non-human revisions). */
  faceChecks: FaceCheck[] | null;
  createdAt: string;
}

/** The newest revision matching `where` (on `r`, the revisions), as a Revision; null when none. */
export async function revisionWhere(client: PoolClient, where: string, params: unknown[]): Promise<Revision | null> {
  const { rows } = await client.query<Revision>(
    `select r.id, r.revision_no as "revisionNo", p.email as "authorEmail", r.source, r.model_assisted as "modelAssisted",
            r.document, r.face_checks::text[] as "faceChecks", r.created_at as "createdAt"
     from public.annotation_revisions r left join public.profiles p on p.user_id = r.author_id
     where ${where} order by r.revision_no desc limit 1`,
    params,
  );
  return rows[0] ?? null;
}

/** The part's current labels (its latest revision) when the part is in this workspace, or null. */
export function latestRevision(client: PoolClient, workspaceId: string, partId: string): Promise<Revision | null> {
  return revisionWhere(client, "r.workspace_id = $1 and r.part_id = $2", [workspaceId, partId]);
}

/**
 * Append a revision. Labels must be made on the part's current face numbering (signature and face
 * count) with feature types of the dataset's label schema. `expectedRevision` makes concurrent saves
 * safe: a save based on an older revision is refused (CONFLICT). The database numbers the revision
 * (annotation_revision_defaults: the part's max + 1); runs inside the caller's transaction.
 */
export async function appendRevision(
  client: PoolClient,
  input: {
    workspaceId: string;
    partId: string;
    document: AnnotationDocument;
    source: "human" | "import" | "model";
    modelAssisted?: boolean;
    expectedRevision?: number;
    /**
     * The annotator's marks per face (`confirmed`, `seen`; anything else counts as unseen), one per
     * face: the database keeps them where the pre-label's label stands and computes `changed`.
     */
    faceChecks?: FaceCheck[];
  },
): Promise<{ id: string; revisionNo: number }> {
  const { rows } = await client.query<{
    signature: string | null;
    face_count: number | null;
    schema_id: string | null;
    taxonomy: { featureTypes: Array<{ key: string }> } | null;
    latest: number;
  }>({
    // named: prepared once per connection, planned once (every autosave runs it)
    name: "facet_revision_context",
    text: `select g.face_signature as signature, g.face_count, d.label_schema_id as schema_id, s.taxonomy,
            coalesce((select max(revision_no) from public.annotation_revisions r where r.part_id = p.id), 0) as latest
     from public.parts p join public.datasets d on d.id = p.dataset_id
     left join public.part_geometry g on g.id = p.geometry_id
     left join public.label_schemas s on s.id = d.label_schema_id
     where p.workspace_id = $1 and p.id = $2
     -- waits for a submit or release in flight; the insert below then sees the part as it is now,
     -- so a save racing a submit is refused instead of landing after the part went to review
     for share of p`,
    values: [input.workspaceId, input.partId],
  });
  const part = rows[0];
  if (!part) throw new AppError("NOT_FOUND", "no such part in this workspace");
  if (!part.signature) throw new AppError("CONFLICT", "this part has no geometry yet: labels are made on its faces");
  if (part.signature !== input.document.faceSignature || part.face_count !== input.document.faceCount) {
    throw new AppError("CONFLICT", "these labels were made on another face numbering (face signature differs)");
  }
  const known = new Set(part.taxonomy?.featureTypes.map((f) => f.key) ?? []);
  const unknown = [...new Set([...input.document.labels, ...input.document.instances.map((i) => i.feature)])].filter(
    (k): k is string => k !== null && !known.has(k),
  );
  if (unknown.length > 0)
    throw new AppError("VALIDATION_FAILED", `not in the dataset's label schema: ${unknown.join(", ")}`);
  if (input.expectedRevision !== undefined && input.expectedRevision !== part.latest) {
    throw new AppError(
      "CONFLICT",
      `the part has revision ${part.latest} now, not ${input.expectedRevision}: reload it`,
    );
  }
  // Two saves inserting at once take the same number and the unique key refuses the second. A save
  // committed between the check above and this insert gives this one a later number instead: that
  // is a stale base too, undone and refused the same way.
  await client.query("savepoint append_revision");
  const inserted = await client.query<{ id: string; revision_no: number }>(
    `insert into public.annotation_revisions
       (part_id, author_id, label_schema_id, face_signature, document, model_assisted, source, face_checks)
     values ($1, auth.uid(), $2, $3, $4, $5, $6, $7::public.face_check[]) returning id, revision_no`,
    [
      input.partId,
      part.schema_id,
      input.document.faceSignature,
      JSON.stringify(input.document),
      input.modelAssisted ?? false,
      input.source,
      input.faceChecks ?? null,
    ],
  );
  const r = inserted.rows[0] as { id: string; revision_no: number };
  if (r.revision_no !== part.latest + 1) {
    await client.query("rollback to savepoint append_revision");
    throw new AppError("CONFLICT", "someone saved a newer revision meanwhile: reload the part");
  }
  await client.query("release savepoint append_revision");
  return { id: r.id, revisionNo: r.revision_no };
}
