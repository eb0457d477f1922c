-- Consensus: a dataset can require several independent annotations of each part. Each submission
-- is recorded as one annotator's annotation; until there are enough, the part goes back to the
-- queue, starting again from its pre-label (never from another annotator's labels), and nobody
-- annotates it twice. With the last one, the part goes to review with a revision that takes each
-- face's majority label; the review page shows where the annotators disagreed.
-- New SQLSTATE: FC010 the same annotator annotating a part twice for consensus.

-- The column has existed since 20261123000200_label_schemas_datasets.sql (checked 1..10, unused until now);
-- consensus is meant for a handful of people per part: at most 5.
alter table public.datasets
  drop constraint datasets_required_annotations_check,
  add constraint datasets_required_annotations_check check (required_annotations between 1 and 5);

create table public.independent_annotations (
  part_id uuid not null references public.parts (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  annotator_id uuid not null references auth.users (id) on delete cascade,
  -- the revision they submitted (labels on every face of this numbering)
  revision_id uuid not null references public.annotation_revisions (id) on delete cascade,
  face_signature text not null,
  created_at timestamptz not null default clock_timestamp(),
  -- once per person and face numbering (a part processed again is annotated again)
  primary key (part_id, annotator_id, face_signature)
);
alter table public.independent_annotations enable row level security;
create index independent_annotations_workspace_idx on public.independent_annotations (workspace_id);

-- Written by the submission trigger only; members read them (agreement figures, the review page).
create policy "Members see independent annotations" on public.independent_annotations
  for select to authenticated using (private.is_member(workspace_id));

-- Runs after parts_submission_complete (name order): the submitted labels are complete by now.
create or replace function private.parts_submission_consensus() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_required integer;
  v_count integer;
  v_revision public.annotation_revisions;
  v_model public.annotation_revisions;
  v_faces integer;
  v_base jsonb;
  v_labels jsonb;
  v_instances jsonb;
begin
  -- a part coming back from review has had its consensus already
  if old.returned_at is not null then
    return new;
  end if;
  select d.required_annotations into v_required from public.datasets d where d.id = new.dataset_id;
  if coalesce(v_required, 1) <= 1 then
    return new;
  end if;
  select * into v_revision from public.annotation_revisions r
  where r.part_id = new.id order by r.revision_no desc limit 1;
  if exists (select 1 from public.independent_annotations i
             where i.part_id = new.id and i.annotator_id = old.annotator_id
               and i.face_signature = v_revision.face_signature) then
    raise exception 'you have annotated this part already: its dataset needs % independent annotations', v_required
      using errcode = 'FC010';
  end if;
  insert into public.independent_annotations (part_id, workspace_id, annotator_id, revision_id, face_signature)
  values (new.id, new.workspace_id, old.annotator_id, v_revision.id, v_revision.face_signature);
  select count(*) into v_count from public.independent_annotations i
  where i.part_id = new.id and i.face_signature = v_revision.face_signature;
  perform private.audit(new.workspace_id, 'part.annotation_recorded', 'parts', new.id::text,
    jsonb_build_object('revision_no', v_revision.revision_no, 'count', v_count, 'required', v_required,
                       'part_id', new.id));
  v_faces := jsonb_array_length(v_revision.document -> 'labels');

  if v_count < v_required then
    -- back to the queue for someone else, from the pre-label (or from nothing)
    select * into v_model from public.annotation_revisions r
    where r.part_id = new.id and r.source = 'model' and r.face_signature = v_revision.face_signature
    order by r.revision_no desc limit 1;
    v_base := coalesce(v_model.document, jsonb_build_object(
      'schemaVersion', 1, 'faceSignature', v_revision.face_signature, 'faceCount', v_faces,
      'labels', (select jsonb_agg('null'::jsonb) from generate_series(1, v_faces)), 'instances', '[]'::jsonb));
    insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature,
      document, model_assisted, source)
    values (new.id, v_revision.revision_no + 1, null, v_revision.label_schema_id, v_revision.face_signature,
      v_base || jsonb_build_object('provenance', jsonb_build_object(
        'consensus', 'start of an independent annotation', 'annotation', v_count + 1, 'required', v_required)),
      v_model.id is not null, 'consensus');
    new.status := case when v_model.id is not null then 'pre_labeled' else 'unannotated' end::public.part_status;
    new.annotator_id := null;
    new.claimed_at := null;
    new.lease_expires_at := null;
    new.claimed_from := null;
    return new;
  end if;

  -- the last one: each face's label is the one most annotators gave (ties: the alphabetically first;
  -- the review page shows them as disagreements), instances of the last annotation that still fit
  with ann as (
    select r.document -> 'labels' as labels
    from public.independent_annotations i join public.annotation_revisions r on r.id = i.revision_id
    where i.part_id = new.id and i.face_signature = v_revision.face_signature
  ), votes as (
    select e.i, e.label, count(*) as n
    from ann cross join lateral jsonb_array_elements_text(ann.labels) with ordinality e(label, i)
    where e.label is not null group by e.i, e.label
  ), best as (
    select distinct on (v.i) v.i, v.label from votes v order by v.i, v.n desc, v.label collate "C"
  )
  select jsonb_agg(to_jsonb(b.label) order by b.i) into v_labels from best b;
  select coalesce(jsonb_agg(inst), '[]'::jsonb) into v_instances
  from jsonb_array_elements(coalesce(v_revision.document -> 'instances', '[]'::jsonb)) inst
  where not exists (
    select 1 from jsonb_array_elements_text(inst -> 'faces') f
    where (v_labels ->> (f::integer)) is distinct from (inst ->> 'feature'));
  insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature,
    document, model_assisted, source)
  values (new.id, v_revision.revision_no + 1, null, v_revision.label_schema_id, v_revision.face_signature,
    jsonb_build_object('schemaVersion', 1, 'faceSignature', v_revision.face_signature, 'faceCount', v_faces,
      'labels', v_labels, 'instances', v_instances,
      'provenance', jsonb_build_object('consensus', 'majority of independent annotations', 'annotations', v_count)),
    false, 'consensus');
  return new;
end
$$;
create trigger parts_submission_consensus before update on public.parts
for each row when (old.status = 'in_progress' and new.status = 'in_review')
execute function private.parts_submission_consensus();

-- Same as before, except that nobody is served a part they annotated already for its consensus.
create or replace function public.claim_next_part(
  p_workspace_id uuid, p_dataset_id uuid default null, p_lease_seconds integer default 900
) returns setof public.parts
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_part public.parts;
  v_previous uuid;
begin
  if v_uid is null or not private.has_role(p_workspace_id, '{admin,engineer,annotator}') then
    raise exception 'only annotators, engineers and admins of this workspace claim parts' using errcode = '42501';
  end if;
  if p_lease_seconds not between 30 and 86400 then
    raise exception 'lease must be between 30 seconds and 24 hours' using errcode = '22023';
  end if;
  select * into v_part from public.parts p
  where p.workspace_id = p_workspace_id
    and (p_dataset_id is null or p.dataset_id = p_dataset_id)
    and (p.status in ('pre_labeled', 'unannotated')
         or (p.status = 'in_progress' and p.returned_at is null
             and p.lease_expires_at is not null and p.lease_expires_at < now()))
    and not exists (select 1 from public.independent_annotations i
                    join public.part_geometry g on g.id = p.geometry_id
                    where i.part_id = p.id and i.annotator_id = v_uid and i.face_signature = g.face_signature)
  order by p.queue_priority, p.created_at, p.id
  limit 1
  for update skip locked;
  if not found then
    return;
  end if;
  v_previous := v_part.annotator_id;
  update public.parts set
    status = 'in_progress',
    annotator_id = v_uid,
    claimed_at = now(),
    lease_expires_at = now() + make_interval(secs => p_lease_seconds),
    claimed_from = case when v_part.status = 'in_progress' then coalesce(v_part.claimed_from, 'unannotated') else v_part.status end
  where id = v_part.id
  returning * into v_part;
  perform private.audit(v_part.workspace_id, 'part.claimed', 'parts', v_part.id::text,
    jsonb_build_object('lease_expires_at', v_part.lease_expires_at, 'expired_claim_of', v_previous));
  return next v_part;
end
$$;
