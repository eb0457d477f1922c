-- The labelling workbench in real time: who has a part open (part_presence), change events for the
-- web app's server-sent events (pg_notify on the channel `facet_events`), and the submission rule
-- (a part goes to review only when every face of its current numbering is labelled).
-- New SQLSTATE: FC008 incomplete annotation (submission refused until every face is labelled).

-- Presence: one row per open workbench connection (a user may have a part open in two tabs).
-- Rows are touched every few seconds while a page is open and deleted when it closes; readers only
-- count rows seen recently, so a crashed server leaves nothing visible for long.
create table public.part_presence (
  part_id uuid not null references public.parts (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  connection_id text not null check (char_length(connection_id) between 1 and 64),
  -- set by part_presence_defaults from the part, whatever the caller wrote
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  joined_at timestamptz not null default now(),
  seen_at timestamptz not null default now(),
  primary key (part_id, user_id, connection_id)
);
alter table public.part_presence enable row level security;
create index part_presence_workspace_idx on public.part_presence (workspace_id);
create index part_presence_user_idx on public.part_presence (user_id);

create or replace function private.part_presence_defaults() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  select p.workspace_id into new.workspace_id from public.parts p where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  return new;
end
$$;
create trigger part_presence_defaults before insert or update of part_id, workspace_id on public.part_presence
for each row execute function private.part_presence_defaults();

create policy "Members see who has their workspace's parts open" on public.part_presence
  for select to authenticated using (private.is_member(workspace_id));
create policy "Members record their own presence" on public.part_presence
  for insert to authenticated
  with check (user_id = (select auth.uid()) and private.is_member(workspace_id));
create policy "Members renew their own presence" on public.part_presence
  for update to authenticated
  using (user_id = (select auth.uid()) and private.is_member(workspace_id))
  with check (user_id = (select auth.uid()) and private.is_member(workspace_id));
create policy "Members remove their own presence" on public.part_presence
  for delete to authenticated
  using (user_id = (select auth.uid()) and private.is_member(workspace_id));

-- Change events ------------------------------------------------------------------------------
-- Payloads are tiny JSON objects of ids (NOTIFY carries at most 8000 bytes; documents are read back
-- through the API, under RLS): {"workspace_id", "part_id", "kind": "status"|"lease"|"revision"|"presence", ...}.
-- NOTIFY is transactional: listeners hear of a change when it commits, never of a rolled-back one.

create or replace function private.iso_time(p_at timestamptz) returns text
language sql stable set search_path = '' as $$
  select to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- status: status or holder changed (claim, release, submit, review, expiry sweep); lease: renewed.
create or replace function private.notify_part_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', new.workspace_id,
    'part_id', new.id,
    'kind', case when new.status is distinct from old.status or new.annotator_id is distinct from old.annotator_id
                 then 'status' else 'lease' end,
    'status', new.status,
    'annotator_id', new.annotator_id,
    'lease_expires_at', private.iso_time(new.lease_expires_at)
  )::text);
  return null;
end
$$;
create trigger parts_notify after update on public.parts
for each row
when (old.status is distinct from new.status or old.annotator_id is distinct from new.annotator_id
      or old.lease_expires_at is distinct from new.lease_expires_at)
execute function private.notify_part_change();

create or replace function private.notify_revision() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', new.workspace_id,
    'part_id', new.part_id,
    'kind', 'revision',
    'revision_no', new.revision_no,
    'author_id', new.author_id
  )::text);
  return null;
end
$$;
create trigger annotation_revisions_notify after insert on public.annotation_revisions
for each row execute function private.notify_revision();

-- join / leave only: heartbeats (updates of seen_at) say nothing new.
create or replace function private.notify_presence() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_row public.part_presence;
begin
  if tg_op = 'DELETE' then v_row := old; else v_row := new; end if;
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', v_row.workspace_id,
    'part_id', v_row.part_id,
    'kind', 'presence',
    'user_id', v_row.user_id,
    'op', case when tg_op = 'DELETE' then 'leave' else 'join' end
  )::text);
  return null;
end
$$;
create trigger part_presence_notify after insert or delete on public.part_presence
for each row execute function private.notify_presence();

-- Submission rule ----------------------------------------------------------------------------
-- in_progress -> in_review needs a latest revision made on the part's current face numbering with
-- a label on every face. Checked here, whoever submits, so no client (or direct update) can send
-- half-labelled parts to review. A trigger of its own, named to run after parts_guard (triggers of
-- one event run in name order): who may submit is decided first.
create or replace function private.parts_submission_complete() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_signature text;
  v_face_count integer;
  v_revision public.annotation_revisions;
  v_labels jsonb;
  v_missing integer;
begin
  select g.face_signature, g.face_count into v_signature, v_face_count
  from public.part_geometry g where g.id = new.geometry_id;
  if v_signature is null then
    raise exception 'this part has no geometry yet, so no faces to label' using errcode = 'FC008';
  end if;
  select * into v_revision from public.annotation_revisions r
  where r.part_id = new.id order by r.revision_no desc limit 1;
  v_labels := v_revision.document -> 'labels';
  if v_revision.id is null or jsonb_typeof(v_labels) is distinct from 'array' then
    raise exception 'no labels saved yet' using errcode = 'FC008';
  end if;
  if v_revision.face_signature is distinct from v_signature then
    raise exception 'the saved labels were made on another face numbering: label the part''s current faces'
      using errcode = 'FC008', detail = format('revision %s', v_revision.revision_no);
  end if;
  select count(*) filter (where e = 'null'::jsonb)::integer
         + greatest(v_face_count - jsonb_array_length(v_labels), 0)
    into v_missing
  from jsonb_array_elements(v_labels) e;
  if v_missing > 0 then
    raise exception '% % not labelled yet', v_missing, case when v_missing = 1 then 'face is' else 'faces are' end
      using errcode = 'FC008',
            detail = format('revision %s: %s of %s faces labelled', v_revision.revision_no,
                            v_face_count - v_missing, v_face_count);
  end if;
  return new;
end
$$;
create trigger parts_submission_complete before update on public.parts
for each row when (old.status = 'in_progress' and new.status = 'in_review')
execute function private.parts_submission_complete();
