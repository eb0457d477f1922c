-- The review queue (oldest submission first) is read a page at a time by reviewers who poll it: its
-- order by an index of the waiting parts only, so a page costs the same with ten or ten thousand
-- waiting (packages/db/src/workspaces/review.ts).
create index parts_review_queue_idx on public.parts (workspace_id, status_changed_at, id)
  where status = 'in_review';
