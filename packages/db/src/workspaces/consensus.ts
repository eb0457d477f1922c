import type { PoolClient } from "../pool";

/** One annotator's independent annotation of a part (for a dataset that needs several). */
export interface IndependentAnnotation {
  annotatorId: string;
  annotatorEmail: string | null;
  revisionNo: number;
  faceSignature: string;
  labels: (string | null)[];
  createdAt: string;
}

export interface PartConsensus {
  /** How many independent annotations the part's dataset needs. */
  required: number;
  annotations: IndependentAnnotation[];
  /**
   * Each face's majority label over the annotations on the part's current face numbering, as the
   * database decides it (private.face_majority, the vote the consensus revision is made of): a tie
   * goes to the byte-order first of the tied labels. Empty when nobody annotated that numbering.
   */
  majority: (string | null)[];
  /** Faces whose top vote count is shared by two or more labels (their majority is the tie rule's). */
  tiedFaces: number[];
}

/**
 * The independent annotations recorded for a part, oldest first, with what its dataset requires and
 * each face's majority on its current face numbering.
 */
export async function getPartConsensus(client: PoolClient, partId: string): Promise<PartConsensus | null> {
  const dataset = await client.query<{ required: number }>(
    `select d.required_annotations as required from public.parts p join public.datasets d on d.id = p.dataset_id
     where p.id = $1`,
    [partId],
  );
  const required = dataset.rows[0]?.required;
  if (required === undefined) return null;
  const { rows } = await client.query<{
    annotatorId: string;
    annotatorEmail: string | null;
    revisionNo: number;
    faceSignature: string;
    labels: (string | null)[];
    createdAt: Date;
  }>(
    `select i.annotator_id as "annotatorId", pr.email as "annotatorEmail", r.revision_no as "revisionNo",
            i.face_signature as "faceSignature", r.document -> 'labels' as labels, i.created_at as "createdAt"
     from public.independent_annotations i
     join public.annotation_revisions r on r.id = i.revision_id
     left join public.profiles pr on pr.user_id = i.annotator_id
     where i.part_id = $1 order by i.created_at, i.annotator_id`,
    [partId],
  );
  const votes = await client.query<{ face: number; label: string | null; tied: boolean }>(
    `select m.face, m.label, m.tied
     from public.parts p join public.part_geometry g on g.id = p.geometry_id
     cross join lateral private.face_majority(p.id, g.face_signature) m
     where p.id = $1 order by m.face`,
    [partId],
  );
  return {
    required,
    annotations: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    majority: votes.rows.map((v) => v.label),
    tiedFaces: votes.rows.filter((v) => v.tied).map((v) => v.face),
  };
}

/** The parts of a workspace (or dataset) annotated independently by two or more people, for agreement figures. */
export async function listConsensusParts(
  client: PoolClient,
  workspaceId: string,
  datasetId: string | null = null,
): Promise<Array<{ partId: string; partName: string; annotators: string[]; annotations: (string | null)[][] }>> {
  const { rows } = await client.query<{
    partId: string;
    partName: string;
    annotators: string[];
    annotations: (string | null)[][];
  }>(
    `select p.id as "partId", p.name as "partName",
            array_agg(coalesce(pr.email, i.annotator_id::text) order by i.created_at, i.annotator_id) as annotators,
            jsonb_agg(r.document -> 'labels' order by i.created_at, i.annotator_id) as annotations
     from public.independent_annotations i
     join public.parts p on p.id = i.part_id
     join public.annotation_revisions r on r.id = i.revision_id
     left join public.profiles pr on pr.user_id = i.annotator_id
     where i.workspace_id = $1 and ($2::uuid is null or p.dataset_id = $2)
       -- one face numbering per part: the current one
       and i.face_signature = (select g.face_signature from public.part_geometry g where g.id = p.geometry_id)
     group by p.id, p.name
     having count(*) >= 2
     order by p.name`,
    [workspaceId, datasetId],
  );
  return rows;
}
