-- Content-addressed blobs, parts with their status machine, claiming with leases,
-- and append-only annotation revisions.

create table public.blobs (
  sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size > 0),
  media_type text not null default 'model/step',
  storage_key text not null,
  verified_at timestamptz,
  created_at timestamptz not null default now()
);
alter table public.blobs enable row level security;

create type public.part_status as enum (
  'uploaded', 'processing', 'failed', 'unannotated', 'pre_labeled', 'in_progress', 'in_review', 'approved'
);

-- The legal transitions; packages/core/src/status.ts holds the same table (a test compares them).
create table private.part_status_transitions (
  from_status public.part_status not null,
  to_status public.part_status not null,
  primary key (from_status, to_status)
);
alter table private.part_status_transitions enable row level security;
insert into private.part_status_transitions (from_status, to_status) values
  ('uploaded', 'processing'),
  ('processing', 'unannotated'),
  ('processing', 'failed'),
  ('failed', 'uploaded'),
  ('unannotated', 'pre_labeled'),
  ('unannotated', 'in_progress'),
  ('pre_labeled', 'in_progress'),
  ('in_progress', 'pre_labeled'),
  ('in_progress', 'unannotated'),
  ('in_progress', 'in_review'),
  ('in_review', 'in_progress'),
  ('in_review', 'approved');

create table public.parts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  dataset_id uuid not null,
  blob_sha256 text not null references public.blobs (sha256) on delete restrict,
  name text not null check (char_length(name) between 1 and 255 and name !~ '[/\\[:cntrl:]]'),
  status public.part_status not null default 'uploaded',
  status_changed_at timestamptz not null default now(),
  annotator_id uuid references auth.users (id) on delete set null,
  claimed_at timestamptz,
  lease_expires_at timestamptz,
  claimed_from public.part_status,
  reviewer_id uuid references auth.users (id) on delete set null,
  review_notes text check (char_length(review_notes) <= 10000),
  split text check (split in ('train', 'val', 'test')),
  tags text[] not null default '{}',
  geometry jsonb,
  failure_reason text,
  -- lower is served first (pre-labelling sets it from model confidence)
  queue_priority real not null default 0,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- a dataset holds a content once: pushing the same bytes twice gives one part
  unique (dataset_id, blob_sha256),
  foreign key (workspace_id, dataset_id) references public.datasets (workspace_id, id) on delete cascade
);
alter table public.parts enable row level security;
create index parts_workspace_status_idx on public.parts (workspace_id, status);
create index parts_dataset_status_idx on public.parts (dataset_id, status);
create index parts_blob_idx on public.parts (blob_sha256);
create index parts_annotator_idx on public.parts (annotator_id) where annotator_id is not null;
create index parts_queue_idx on public.parts (workspace_id, queue_priority, created_at)
  where status in ('pre_labeled', 'unannotated', 'in_progress');

-- The status machine and the role rules for direct updates by users.
-- Updates made by security-definer functions (claim_next_part, ...) or the service role are
-- checked for legality only; updates made directly as `authenticated` are checked for who may
-- do them, per workspace role.
create or replace function private.transition_allowed(p_from public.part_status, p_to public.part_status)
returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from private.part_status_transitions t where t.from_status = p_from and t.to_status = p_to)
$$;

create or replace function private.transitions_from(p_from public.part_status) returns text
language sql stable security definer set search_path = '' as $$
  select coalesce('allowed from ' || p_from || ': ' || string_agg(t.to_status::text, ', ' order by t.to_status),
                  p_from || ' is final')
  from private.part_status_transitions t where t.from_status = p_from
$$;
grant execute on function private.transition_allowed(public.part_status, public.part_status) to authenticated, service_role;
grant execute on function private.transitions_from(public.part_status) to authenticated, service_role;

-- Security invoker on purpose: current_user tells a direct update by a user ('authenticated')
-- from one made inside a security-definer function or by the service.
create or replace function private.parts_guard() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_role public.member_role;
  v_direct boolean := current_user = 'authenticated';
  v_allowed text[];
  -- set below by this trigger, whatever the caller wrote; everything else a user writes is checked.
  -- (Who holds or reviewed a part, and its lease, are written only here and by the claim functions:
  -- a user who could set annotator_id could hand a part to someone else and approve their own work.)
  v_keep text[] := array['updated_at'];
begin
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.blob_sha256 <> old.blob_sha256
     or new.created_at <> old.created_at or new.created_by is distinct from old.created_by then
    raise exception 'a part''s id, workspace, blob and creation record cannot change' using errcode = 'FC005';
  end if;

  if new.status is distinct from old.status then
    if not private.transition_allowed(old.status, new.status) then
      raise exception 'illegal part status transition: % -> %', old.status, new.status
        using errcode = 'FC001', detail = private.transitions_from(old.status);
    end if;
  end if;

  if v_direct then
    v_role := private.member_role(old.workspace_id);
    -- which columns each role may set directly
    v_allowed := case v_role
      when 'admin' then array['status', 'name', 'dataset_id', 'tags', 'split', 'review_notes', 'queue_priority']
      when 'engineer' then array['status', 'name', 'dataset_id', 'tags', 'review_notes', 'queue_priority']
      when 'ml_engineer' then array['tags', 'split']
      when 'annotator' then array['status']
      else array[]::text[] end;
    if (to_jsonb(new) - v_allowed - v_keep) <> (to_jsonb(old) - v_allowed - v_keep) then
      raise exception 'a % may not change these fields of a part', coalesce(v_role::text, 'non-member')
        using errcode = 'FC004';
    end if;
    if new.status is distinct from old.status then
      if old.status = 'in_progress' and new.status in ('pre_labeled', 'unannotated', 'in_review') then
        if old.annotator_id is distinct from v_uid and v_role <> 'admin' then
          raise exception 'only the annotator holding this part can release or submit it' using errcode = 'FC004';
        end if;
      elsif old.status = 'in_review' then
        if v_role not in ('admin', 'engineer') then
          raise exception 'only engineers and admins approve or reject' using errcode = 'FC004';
        end if;
        if old.annotator_id = v_uid then
          raise exception 'nobody reviews their own annotation' using errcode = 'FC004';
        end if;
      elsif old.status = 'failed' and new.status = 'uploaded' then
        if v_role not in ('admin', 'engineer') then
          raise exception 'only engineers and admins retry failed parts' using errcode = 'FC004';
        end if;
      elsif new.status = 'in_progress' then
        raise exception 'claim parts with claim_next_part()' using errcode = 'FC004';
      else
        raise exception 'only the processing pipeline moves a part from % to %', old.status, new.status
          using errcode = 'FC004';
      end if;
    end if;
  end if;

  -- consequences of a transition, whoever made it
  if new.status is distinct from old.status then
    new.status_changed_at := now();
    if new.status in ('pre_labeled', 'unannotated') and old.status = 'in_progress' then
      new.annotator_id := null; new.claimed_at := null; new.lease_expires_at := null; new.claimed_from := null;
    elsif new.status = 'in_review' then
      new.lease_expires_at := null;
    elsif old.status = 'in_review' then
      new.reviewer_id := coalesce(v_uid, new.reviewer_id);
      new.lease_expires_at := null; -- a rejected part goes back to its annotator, with no lease
    elsif new.status = 'uploaded' then
      new.failure_reason := null;
    end if;
  end if;
  new.updated_at := now();
  return new;
end
$$;

create trigger parts_guard before update on public.parts
for each row execute function private.parts_guard();

create or replace function private.parts_insert_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.status <> 'uploaded' and current_user = 'authenticated' then
    raise exception 'new parts start as uploaded' using errcode = 'FC001';
  end if;
  return new;
end
$$;
create trigger parts_insert_guard before insert on public.parts
for each row execute function private.parts_insert_guard();

create or replace function private.audit_part_status() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit(new.workspace_id, 'part.created', 'parts', new.id::text,
      jsonb_build_object('name', new.name, 'blob_sha256', new.blob_sha256, 'dataset_id', new.dataset_id));
  elsif tg_op = 'DELETE' then
    perform private.audit(old.workspace_id, 'part.deleted', 'parts', old.id::text,
      jsonb_build_object('name', old.name, 'status', old.status));
  elsif new.status is distinct from old.status then
    perform private.audit(new.workspace_id, 'part.status_changed', 'parts', new.id::text,
      jsonb_build_object('from', old.status, 'to', new.status, 'annotator_id', new.annotator_id));
  end if;
  return null;
end
$$;
create trigger parts_audit after insert or update of status or delete on public.parts
for each row execute function private.audit_part_status();
-- edits that are not status changes (renames, moves, curation)
create trigger parts_edit_audit after update of name, dataset_id, split, tags, review_notes on public.parts
for each row
when ((old.name, old.dataset_id, old.split, old.tags, old.review_notes)
      is distinct from (new.name, new.dataset_id, new.split, new.tags, new.review_notes))
execute function private.audit_row_change('part');

-- Claim the next part of the queue: atomic (FOR UPDATE SKIP LOCKED), leased. A part whose lease
-- has expired is claimable again. Returns no row when the queue is empty.
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
         or (p.status = 'in_progress' and p.lease_expires_at is not null and p.lease_expires_at < now()))
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

-- Keep a claim alive while the annotator's page is open.
create or replace function public.renew_claim(p_part_id uuid, p_lease_seconds integer default 900)
returns timestamptz
language plpgsql security definer set search_path = '' as $$
declare
  v_expires timestamptz;
begin
  if p_lease_seconds not between 30 and 86400 then
    raise exception 'lease must be between 30 seconds and 24 hours' using errcode = '22023';
  end if;
  update public.parts set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  where id = p_part_id and status = 'in_progress' and annotator_id = (select auth.uid())
    and lease_expires_at is not null
  returning lease_expires_at into v_expires;
  if v_expires is null then
    raise exception 'you do not hold this part any more' using errcode = 'FC006';
  end if;
  return v_expires;
end
$$;

-- Give a claimed part back to the queue it came from.
create or replace function public.release_part(p_part_id uuid) returns public.parts
language plpgsql security definer set search_path = '' as $$
declare
  v_part public.parts;
begin
  update public.parts set status = coalesce(claimed_from, 'unannotated')
  where id = p_part_id and status = 'in_progress'
    and (annotator_id = (select auth.uid()) or private.has_role(workspace_id, '{admin}'))
  returning * into v_part;
  if v_part.id is null then
    raise exception 'you do not hold this part' using errcode = 'FC006';
  end if;
  return v_part;
end
$$;

-- Sweep expired leases back to their queue (the worker calls this every minute).
create or replace function public.release_expired_claims() returns integer
language plpgsql security definer set search_path = '' as $$
declare
  v_count integer;
begin
  with expired as (
    select id from public.parts
    where status = 'in_progress' and lease_expires_at < now()
    for update skip locked
  )
  update public.parts p set status = coalesce(p.claimed_from, 'unannotated')
  from expired where p.id = expired.id;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

revoke execute on function public.claim_next_part(uuid, uuid, integer) from public, anon;
revoke execute on function public.renew_claim(uuid, integer) from public, anon;
revoke execute on function public.release_part(uuid) from public, anon;
revoke execute on function public.release_expired_claims() from public, anon, authenticated;
grant execute on function public.claim_next_part(uuid, uuid, integer) to authenticated, service_role;
grant execute on function public.renew_claim(uuid, integer) to authenticated, service_role;
grant execute on function public.release_part(uuid) to authenticated, service_role;
grant execute on function public.release_expired_claims() to service_role;

-- Annotation revisions: append-only; the current state of a part is its latest revision.
create table public.annotation_revisions (
  id uuid primary key default gen_random_uuid(),
  part_id uuid not null references public.parts (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  blob_sha256 text not null references public.blobs (sha256) on delete restrict,
  revision_no integer not null check (revision_no > 0),
  parent_id uuid references public.annotation_revisions (id) on delete cascade,
  author_id uuid references auth.users (id) on delete set null,
  label_schema_id uuid references public.label_schemas (id) on delete restrict,
  schema_version integer not null default 1,
  face_signature text,
  document jsonb not null check (jsonb_typeof(document) = 'object'),
  model_assisted boolean not null default false,
  source text not null default 'human' check (source in ('human', 'model', 'import', 'consensus')),
  created_at timestamptz not null default now(),
  -- optimistic concurrency: two saves of the same next revision cannot both win
  unique (part_id, revision_no)
);
alter table public.annotation_revisions enable row level security;
create index annotation_revisions_workspace_idx on public.annotation_revisions (workspace_id);

create or replace function private.annotation_revision_defaults() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  select p.workspace_id, p.blob_sha256 into new.workspace_id, new.blob_sha256
  from public.parts p where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  return new;
end
$$;
create trigger annotation_revisions_defaults before insert on public.annotation_revisions
for each row execute function private.annotation_revision_defaults();

create or replace function private.annotation_revisions_append_only() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.parts p where p.id = old.part_id) then
    return old; -- the part itself is being deleted
  end if;
  raise exception 'annotation revisions are append-only: % refused', lower(tg_op)
    using errcode = 'FC003', hint = 'save a new revision instead';
end
$$;
create trigger annotation_revisions_append_only before update or delete on public.annotation_revisions
for each row execute function private.annotation_revisions_append_only();

-- Policies -----------------------------------------------------------------------------------

create policy "Members see blobs their workspaces use" on public.blobs
  for select to authenticated
  using (exists (select 1 from public.parts p where p.blob_sha256 = blobs.sha256));
create policy "Uploaders record new blobs" on public.blobs
  for insert to authenticated
  with check (
    private.has_role_anywhere('{admin,engineer}')
    -- unverified, at the content address of its hash (packages/core blobKey): a user must not be able
    -- to vouch for bytes or point a hash at another object's key
    and verified_at is null
    and storage_key = 'blobs/sha256/' || substr(sha256, 1, 2) || '/' || substr(sha256, 3, 2) || '/' || sha256
  );
-- blobs are verified, updated and deleted by the service only

create policy "Members see parts" on public.parts
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins and engineers add parts" on public.parts
  for insert to authenticated
  with check (private.has_role(workspace_id, '{admin,engineer}') and created_by = (select auth.uid()));
create policy "Curators, reviewers and the holding annotator update parts" on public.parts
  for update to authenticated
  using (private.has_role(workspace_id, '{admin,engineer,ml_engineer}')
         or (annotator_id = (select auth.uid()) and private.has_role(workspace_id, '{annotator}')))
  with check (private.is_member(workspace_id));
create policy "Admins and engineers discard parts" on public.parts
  for delete to authenticated using (private.has_role(workspace_id, '{admin,engineer}'));

create policy "Members see annotation revisions" on public.annotation_revisions
  for select to authenticated using (private.is_member(workspace_id));
create policy "The holding annotator, engineers and admins save revisions" on public.annotation_revisions
  for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and (private.has_role(workspace_id, '{admin,engineer}')
         or exists (select 1 from public.parts p
                    where p.id = part_id and p.status = 'in_progress' and p.annotator_id = (select auth.uid())))
  );
-- no update or delete policies: revisions are append-only
