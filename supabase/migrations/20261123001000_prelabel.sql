-- Pre-labelling: what the models made of each part, how sure they were, and the queue order that
-- follows from it. The pre-label itself is an annotation revision (source 'model',
-- model_assisted), its document carrying per-face confidences (packages/core annotation.ts).

alter table public.parts
  -- mean per-face confidence of the part's pre-label; null when it has none
  add column prelabel_confidence real check (prelabel_confidence between 0 and 1),
  -- faces on which several models disagreed (0 with one model)
  add column prelabel_disagreements integer check (prelabel_disagreements >= 0),
  -- why pre-labelling gave nothing (every model failed): the part waits unannotated, never stuck
  add column prelabel_error text check (char_length(prelabel_error) <= 2000);

-- Per dataset: whether new parts are pre-labelled (off for datasets whose labels are imported or
-- must be made from scratch), and how its queue is served: the parts the models are least sure of
-- first, or oldest first.
alter table public.datasets
  add column prelabel boolean not null default true,
  add column queue_order text not null default 'least_confident'
    check (queue_order in ('least_confident', 'oldest'));

-- queue_priority (lower is served first) follows the dataset's order whenever a part's
-- confidence changes or the dataset's order does. Parts without a pre-label stand at 0: before
-- every pre-labelled part, as the models know least about them.
create or replace function private.part_queue_priority(p_dataset_id uuid, p_confidence real)
returns real
language sql stable security definer set search_path = '' as $$
  select case when d.queue_order = 'least_confident' then coalesce(p_confidence, 0) else 0 end
  from public.datasets d where d.id = p_dataset_id
$$;

create or replace function private.parts_queue_priority() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'INSERT' or new.prelabel_confidence is distinct from old.prelabel_confidence
     or new.dataset_id is distinct from old.dataset_id then
    new.queue_priority := coalesce(private.part_queue_priority(new.dataset_id, new.prelabel_confidence), 0);
  end if;
  return new;
end
$$;
create trigger parts_queue_priority before insert or update on public.parts
for each row execute function private.parts_queue_priority();

-- runs as its owner: a dataset's editor re-orders its queue without the right to write parts
create or replace function private.datasets_queue_order() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.parts p
  set queue_priority = coalesce(private.part_queue_priority(p.dataset_id, p.prelabel_confidence), 0)
  where p.dataset_id = new.id;
  return null;
end
$$;
create trigger datasets_queue_order after update of queue_order on public.datasets
for each row when (new.queue_order is distinct from old.queue_order)
execute function private.datasets_queue_order();

-- The pre-label revision is written by the worker: no user may claim a revision was a model's.
create or replace function private.annotation_revisions_model_source() returns trigger
language plpgsql set search_path = '' as $$
begin
  if current_user = 'authenticated' and (new.source = 'model' or new.model_assisted) then
    raise exception 'only the pre-labelling worker writes model revisions' using errcode = 'FC004';
  end if;
  return new;
end
$$;
create trigger annotation_revisions_model_source before insert on public.annotation_revisions
for each row execute function private.annotation_revisions_model_source();

/**
 * How much of the pre-labels survived review: over the approved parts of a workspace (optionally
 * one dataset), for each model and each class it predicted, how many faces it labelled so and how
 * many of them the approved labels kept. Compares the part's newest model revision with its latest
 * revision, on the same face numbering. Row model '(combined)' is the label the revision gave when
 * several models answered. Runs with the caller's rights: members see their workspace's figures.
 */
create or replace function public.prelabel_acceptance(p_workspace_id uuid, p_dataset_id uuid default null)
returns table (model text, model_version text, feature text, faces bigint, accepted bigint, parts bigint)
language sql stable security invoker set search_path = '' as $$
  with approved as (
    select p.id from public.parts p
    where p.workspace_id = p_workspace_id and p.status = 'approved'
      and (p_dataset_id is null or p.dataset_id = p_dataset_id)
  ), final as (
    select distinct on (r.part_id) r.part_id, r.document
    from public.annotation_revisions r join approved a on a.id = r.part_id
    order by r.part_id, r.revision_no desc
  ), pre as (
    select distinct on (r.part_id) r.part_id, r.document
    from public.annotation_revisions r join approved a on a.id = r.part_id
    where r.source = 'model'
    order by r.part_id, r.revision_no desc
  ), said as (
    -- each model's own labels when several answered, and the revision's labels as '(combined)'
    select pre.part_id, m.value->>'id' as model, m.value->>'version' as model_version,
           pre.document->'prelabel'->'predictions'->(m.value->>'id') as labels
    from pre cross join lateral jsonb_array_elements(pre.document->'prelabel'->'models') m
    where jsonb_typeof(pre.document->'prelabel'->'predictions') = 'object'
    union all
    select pre.part_id,
           case when jsonb_array_length(pre.document->'prelabel'->'models') = 1
                then pre.document->'prelabel'->'models'->0->>'id' else '(combined)' end,
           case when jsonb_array_length(pre.document->'prelabel'->'models') = 1
                then pre.document->'prelabel'->'models'->0->>'version' else '' end,
           pre.document->'labels'
    from pre where jsonb_typeof(pre.document->'prelabel'->'models') = 'array'
  )
  select s.model, s.model_version, l.label, count(*),
         count(*) filter (where f.label = l.label), count(distinct s.part_id)
  from said s
  join final on final.part_id = s.part_id
  join pre on pre.part_id = s.part_id
  cross join lateral jsonb_array_elements_text(s.labels) with ordinality l(label, i)
  join lateral jsonb_array_elements_text(final.document->'labels') with ordinality f(label, i) on f.i = l.i
  where jsonb_typeof(s.labels) = 'array' and l.label is not null
    and final.document->>'faceSignature' = pre.document->>'faceSignature'
  group by s.model, s.model_version, l.label
  order by s.model, l.label
$$;
revoke execute on function public.prelabel_acceptance(uuid, uuid) from public, anon;
grant execute on function public.prelabel_acceptance(uuid, uuid) to authenticated, service_role;
