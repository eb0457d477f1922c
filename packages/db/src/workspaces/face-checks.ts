import type { FaceCheck } from "@facet/core";
import type { PoolClient } from "../pool";

/** How one annotator treated the pre-labels of the revisions that went to review. */
export interface FaceCheckStats {
  authorId: string | null;
  annotator: string | null;
  /** Reviewed revisions with checks (made on a pre-labelled part). */
  revisions: number;
  /** Their pre-labelled faces, by what the annotator did with each. */
  faces: Record<FaceCheck, number>;
}

/**
 * Per annotator, over the revisions reviewers decided on (approved or rejected) in a workspace (or
 * one dataset): how many pre-labelled faces they changed, confirmed, kept after a look and accepted
 * unseen. Most-unseen first. Under the caller's row-level security.
 */
export async function faceCheckStats(
  client: PoolClient,
  workspaceId: string,
  datasetId: string | null = null,
): Promise<FaceCheckStats[]> {
  const { rows } = await client.query<{
    author_id: string | null;
    annotator: string | null;
    revisions: number;
    changed: number;
    confirmed: number;
    seen: number;
    unseen: number;
  }>(
    `select r.author_id, pr.email as annotator, count(distinct r.id)::integer as revisions,
            count(*) filter (where c = 'changed')::integer as changed,
            count(*) filter (where c = 'confirmed')::integer as confirmed,
            count(*) filter (where c = 'seen')::integer as seen,
            count(*) filter (where c = 'unseen')::integer as unseen
     from public.annotation_revisions r
     join public.parts p on p.id = r.part_id
     left join public.profiles pr on pr.user_id = r.author_id
     cross join lateral unnest(r.face_checks) c
     where r.workspace_id = $1 and ($2::uuid is null or p.dataset_id = $2)
       and exists (select 1 from public.part_reviews v where v.revision_id = r.id)
     group by r.author_id, pr.email
     order by unseen desc, annotator`,
    [workspaceId, datasetId],
  );
  return rows.map((r) => ({
    authorId: r.author_id,
    annotator: r.annotator,
    revisions: r.revisions,
    faces: { changed: r.changed, confirmed: r.confirmed, seen: r.seen, unseen: r.unseen },
  }));
}
