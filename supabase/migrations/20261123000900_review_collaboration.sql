-- Review and collaboration: review decisions (approve / reject, naming the revision reviewed),
-- comments (threads, replies, resolve/reopen, pinned to a face or a 3D point; a reviewer's notes are
-- comments of kind review_note), @mentions and in-app notifications, share links for people outside
-- the workspace, and the history of a part read from the audit log.
-- New SQLSTATE: FC009 share link not valid (unknown, revoked or expired).

grant usage on schema private to anon;

-- A rejected part goes back to the annotator who submitted it and stays theirs: returned_at marks
-- it. Its lease only says whether their page is open; when it runs out the part is not swept back
-- to the queue (it is only made lease-less again). Releasing it by hand still gives it away.
alter table public.parts add column returned_at timestamptz;

create or replace function private.parts_review_consequences() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- parts_guard refuses reviewing one's own annotation; nor may a reviewer decide on labels they saved
  if current_user = 'authenticated' and old.status = 'in_review' and new.status is distinct from old.status
     and (select r.author_id from public.annotation_revisions r
          where r.part_id = old.id order by r.revision_no desc limit 1) = (select auth.uid()) then
    raise exception 'you saved the labels under review: another engineer or admin must review them'
      using errcode = 'FC004';
  end if;
  if new.status is distinct from old.status then
    if old.status = 'in_review' and new.status = 'in_progress' then
      new.returned_at := now();
    elsif new.status <> 'in_progress' then
      new.returned_at := null;
    end if;
  elsif new.returned_at is distinct from old.returned_at and current_user = 'authenticated' then
    raise exception 'returned_at is set by the review rules only' using errcode = 'FC005';
  end if;
  return new;
end
$$;
-- runs after parts_guard (triggers of one event run in name order)
create trigger parts_review_consequences before update on public.parts
for each row execute function private.parts_review_consequences();

-- A returned part's lease can be (re)started by its annotator although it has none.
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
    and (lease_expires_at is not null or returned_at is not null)
  returning lease_expires_at into v_expires;
  if v_expires is null then
    raise exception 'you do not hold this part any more' using errcode = 'FC006';
  end if;
  return v_expires;
end
$$;

-- Expired claims go back to their queue, except returned parts: those stay with their annotator.
create or replace function public.release_expired_claims() returns integer
language plpgsql security definer set search_path = '' as $$
declare
  v_count integer;
begin
  with expired as (
    select id from public.parts
    where status = 'in_progress' and lease_expires_at < now() and returned_at is null
    for update skip locked
  )
  update public.parts p set status = coalesce(p.claimed_from, 'unannotated')
  from expired where p.id = expired.id;
  get diagnostics v_count = row_count;
  update public.parts set lease_expires_at = null
  where status = 'in_progress' and lease_expires_at < now() and returned_at is not null;
  return v_count;
end
$$;

-- Same as before, except that a returned part is never claimed by someone else.
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

-- Append-only rows that go when their part goes (cascades), and never otherwise.
create or replace function private.append_only_with_part() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.parts p where p.id = old.part_id) then
    return old;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op) using errcode = 'FC003';
end
$$;

-- (workspace_id, id) is unique since id is: the key rows that name a part and its workspace refer to
alter table public.parts add constraint parts_workspace_id_id_key unique (workspace_id, id);

-- Review decisions --------------------------------------------------------------------------------
create table public.part_reviews (
  id uuid primary key default gen_random_uuid(),
  -- workspace_id, annotator_id, revision_no and reviewer_id are set by part_reviews_defaults
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  part_id uuid not null references public.parts (id) on delete cascade,
  revision_id uuid not null references public.annotation_revisions (id) on delete cascade,
  revision_no integer not null,
  reviewer_id uuid references auth.users (id) on delete set null,
  annotator_id uuid references auth.users (id) on delete set null,
  decision text not null check (decision in ('approved', 'rejected')),
  summary text check (char_length(summary) <= 10000),
  created_at timestamptz not null default now(),
  foreign key (workspace_id, part_id) references public.parts (workspace_id, id) on delete cascade
);
alter table public.part_reviews enable row level security;
create index part_reviews_part_idx on public.part_reviews (part_id, created_at);
create index part_reviews_workspace_idx on public.part_reviews (workspace_id);

-- A decision is recorded in the transaction that makes it: the part must have just moved to what
-- the decision says (approved, or back to in_progress), from in_review, on that revision.
create or replace function private.part_reviews_defaults() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_part public.parts;
  v_revision public.annotation_revisions;
begin
  select * into v_part from public.parts p where p.id = new.part_id;
  if v_part.id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  select * into v_revision from public.annotation_revisions r where r.id = new.revision_id;
  if v_revision.part_id is distinct from new.part_id then
    raise exception 'the reviewed revision belongs to another part' using errcode = '22023';
  end if;
  if exists (select 1 from public.annotation_revisions r
             where r.part_id = new.part_id and r.revision_no > v_revision.revision_no) then
    raise exception 'a decision is about the latest revision (% is not)', v_revision.revision_no using errcode = 'FC004';
  end if;
  if exists (select 1 from public.part_reviews pr where pr.part_id = new.part_id and pr.created_at = now()) then
    raise exception 'this status change has its decision already' using errcode = 'FC004';
  end if;
  if v_part.status::text <> (case new.decision when 'approved' then 'approved' else 'in_progress' end)
     or v_part.status_changed_at <> now() then
    raise exception 'a review decision is recorded with the status change it makes' using errcode = 'FC004';
  end if;
  new.workspace_id := v_part.workspace_id;
  new.annotator_id := v_part.annotator_id;
  new.revision_no := v_revision.revision_no;
  new.reviewer_id := coalesce((select auth.uid()), new.reviewer_id);
  new.created_at := now();
  return new;
end
$$;
create trigger part_reviews_defaults before insert on public.part_reviews
for each row execute function private.part_reviews_defaults();
create trigger part_reviews_append_only before update or delete on public.part_reviews
for each row execute function private.append_only_with_part();

create policy "Members see review decisions" on public.part_reviews
  for select to authenticated using (private.is_member(workspace_id));
create policy "Engineers and admins review the work of others" on public.part_reviews
  for insert to authenticated
  with check (
    private.has_role(workspace_id, '{admin,engineer}')
    and reviewer_id = (select auth.uid())
    and annotator_id is distinct from (select auth.uid())
    -- nor labels they saved themselves (an engineer may save a revision of any part)
    and not exists (select 1 from public.annotation_revisions r
                    where r.id = revision_id and r.author_id = (select auth.uid()))
  );

-- Share links -------------------------------------------------------------------------------------
-- Only the SHA-256 of a token is stored. A request made with a link runs as `anon` with the token
-- in its claims ({"role": "anon", "share_token": "…"}); the policies below let it read that one
-- part (and comment on it when the link allows) while the link is neither revoked nor expired.
create table public.share_links (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  part_id uuid not null references public.parts (id) on delete cascade,
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  access text not null check (access in ('read', 'comment')),
  label text check (char_length(label) <= 120),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  use_count integer not null default 0,
  -- a link's part is in the link's workspace, whatever is written
  foreign key (workspace_id, part_id) references public.parts (workspace_id, id) on delete cascade
);
alter table public.share_links enable row level security;
create index share_links_part_idx on public.share_links (part_id);
create index share_links_workspace_idx on public.share_links (workspace_id);

-- Security invoker on purpose (like parts_guard): current_user tells a user's update from one made by
-- open_share_link() or the service.
create or replace function private.share_links_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    select p.workspace_id into new.workspace_id from public.parts p where p.id = new.part_id;
    if new.workspace_id is null then
      raise exception 'no such part' using errcode = '23503';
    end if;
    if new.expires_at <= now() or new.expires_at > now() + interval '366 days' then
      raise exception 'a share link expires between now and a year from now' using errcode = '22023';
    end if;
    new.created_at := now();
    new.revoked_at := null;
    new.revoked_by := null;
    new.use_count := 0;
    new.last_used_at := null;
    if (select auth.uid()) is not null then
      new.created_by := (select auth.uid());
    end if;
    return new;
  end if;
  -- updates by users: revoking only, once
  if current_user = 'authenticated' then
    if (to_jsonb(new) - '{revoked_at,revoked_by}'::text[]) <> (to_jsonb(old) - '{revoked_at,revoked_by}'::text[]) then
      raise exception 'a share link can only be revoked' using errcode = 'FC005';
    end if;
    if old.revoked_at is not null then
      raise exception 'this share link is revoked already' using errcode = 'FC005';
    end if;
    if new.revoked_at is not null then
      new.revoked_at := now();
      new.revoked_by := (select auth.uid());
    end if;
  end if;
  return new;
end
$$;
create trigger share_links_guard before insert or update on public.share_links
for each row execute function private.share_links_guard();
create or replace function private.share_links_audit() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit(new.workspace_id, 'share_link.created', 'share_links', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'access', new.access, 'expires_at', new.expires_at, 'label', new.label));
  elsif new.revoked_at is not null and old.revoked_at is null then
    perform private.audit(new.workspace_id, 'share_link.revoked', 'share_links', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'access', new.access, 'label', new.label));
  end if;
  return null;
end
$$;
create trigger share_links_audit after insert or update of revoked_at on public.share_links
for each row execute function private.share_links_audit();

create policy "Engineers and admins see share links" on public.share_links
  for select to authenticated using (private.has_role(workspace_id, '{admin,engineer}'));
create policy "Engineers and admins create share links" on public.share_links
  for insert to authenticated
  with check (private.has_role(workspace_id, '{admin,engineer}') and created_by = (select auth.uid()));
create policy "Engineers and admins revoke share links" on public.share_links
  for update to authenticated
  using (private.has_role(workspace_id, '{admin,engineer}'))
  with check (private.has_role(workspace_id, '{admin,engineer}'));
-- no delete policy: a revoked link stays on record

-- The link the request's claims carry, when it is valid now.
create or replace function private.current_share_link() returns public.share_links
language sql stable security definer set search_path = '' as $$
  select l.* from public.share_links l
  where l.token_hash = encode(sha256(convert_to(nullif(auth.jwt() ->> 'share_token', ''), 'UTF8')), 'hex')
    and l.revoked_at is null and l.expires_at > now()
$$;
create or replace function private.share_part_id() returns uuid
language sql stable security definer set search_path = '' as $$
  select (private.current_share_link()).part_id
$$;
create or replace function private.share_allows_comments() returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce((private.current_share_link()).access = 'comment', false)
$$;
revoke all on function private.current_share_link() from public;
grant execute on function private.current_share_link() to anon, authenticated, service_role;

-- Open a link (the share page calls it first): what it shows, or FC009. Counts the use.
create or replace function public.open_share_link()
returns table (link_id uuid, workspace_id uuid, part_id uuid, access text, expires_at timestamptz)
language plpgsql security definer set search_path = '' as $$
declare
  v_link public.share_links := private.current_share_link();
begin
  if v_link.id is null then
    raise exception 'this share link is not valid: it was revoked, it expired, or it never existed'
      using errcode = 'FC009';
  end if;
  update public.share_links set last_used_at = now(), use_count = use_count + 1 where id = v_link.id;
  return query select v_link.id, v_link.workspace_id, v_link.part_id, v_link.access, v_link.expires_at;
end
$$;
revoke execute on function public.open_share_link() from public, authenticated;
grant execute on function public.open_share_link() to anon, service_role;

-- What a link shows: its part, the part's labels, geometry, dataset name and label schema.
create policy "A share link shows its part" on public.parts
  for select to anon using (id = private.share_part_id());
create policy "A share link shows its part's labels" on public.annotation_revisions
  for select to anon using (part_id = private.share_part_id());
create policy "A share link shows its part's geometry" on public.part_geometry
  for select to anon
  using (exists (select 1 from public.parts p where p.id = private.share_part_id() and p.geometry_id = part_geometry.id));
create policy "A share link shows its part's dataset" on public.datasets
  for select to anon
  using (exists (select 1 from public.parts p where p.id = private.share_part_id() and p.dataset_id = datasets.id));
create policy "A share link shows its part's label schema" on public.label_schemas
  for select to anon
  using (exists (select 1 from public.parts p join public.datasets d on d.id = p.dataset_id
                 where p.id = private.share_part_id() and d.label_schema_id = label_schemas.id));

-- Comments ----------------------------------------------------------------------------------------
create table public.comments (
  id uuid primary key default gen_random_uuid(),
  -- workspace_id, author_*, face_signature, revision_no and mentions are set by comments_defaults
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  part_id uuid not null references public.parts (id) on delete cascade,
  parent_id uuid references public.comments (id) on delete cascade,
  kind text not null default 'comment' check (kind in ('comment', 'review_note')),
  review_id uuid references public.part_reviews (id) on delete cascade,
  body text not null check (char_length(btrim(body)) between 1 and 5000),
  -- a pin: a face of the numbering face_signature names, and/or a point on the part (model units)
  face_index integer check (face_index >= 0),
  point double precision[] check (
    point is null or (array_ndims(point) = 1 and array_length(point, 1) = 3
                      and abs(point[1]) < 1e9 and abs(point[2]) < 1e9 and abs(point[3]) < 1e9)),
  face_signature text,
  revision_no integer,
  author_id uuid references auth.users (id) on delete set null,
  author_name text not null check (char_length(author_name) between 1 and 120),
  share_link_id uuid references public.share_links (id) on delete set null,
  mentions uuid[] not null default '{}',
  resolved_at timestamptz,
  resolved_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (kind = 'comment' or review_id is not null),
  check (parent_id is null or (face_index is null and point is null and kind = 'comment'))
);
alter table public.comments enable row level security;
create index comments_part_idx on public.comments (part_id, created_at);
create index comments_parent_idx on public.comments (parent_id) where parent_id is not null;
create index comments_workspace_idx on public.comments (workspace_id);
create index comments_review_idx on public.comments (review_id) where review_id is not null;

-- Members mentioned in a text: @<email> or @<the part of an email before the @>, case-insensitive.
-- Anything else (non-members, typos) mentions nobody.
create or replace function private.mentioned_members(p_workspace_id uuid, p_body text) returns uuid[]
language sql stable security definer set search_path = '' as $$
  with tokens as (
    select distinct lower(rtrim(m[1], '.-_')) as token
    from regexp_matches(p_body, '(?:^|[^A-Za-z0-9._%+-])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)', 'g') as m
  )
  select coalesce(array_agg(distinct wm.user_id order by wm.user_id), '{}')
  from tokens t
  join public.profiles pr on lower(pr.email) = t.token or lower(split_part(pr.email, '@', 1)) = t.token
  join public.workspace_members wm on wm.user_id = pr.user_id and wm.workspace_id = p_workspace_id
$$;

-- only comments_defaults (running as the owner) resolves mentions: nobody may probe who is a member
revoke all on function private.mentioned_members(uuid, text) from public, anon, authenticated;

create or replace function private.comments_defaults() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_parent public.comments;
  v_face_count integer;
  v_link public.share_links;
begin
  select p.workspace_id, g.face_signature, g.face_count into new.workspace_id, new.face_signature, v_face_count
  from public.parts p left join public.part_geometry g on g.id = p.geometry_id where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  if new.face_index is not null and (v_face_count is null or new.face_index >= v_face_count) then
    raise exception 'face % does not exist on this part (it has % faces)', new.face_index, coalesce(v_face_count, 0)
      using errcode = '22023';
  end if;
  if new.face_index is null then
    new.face_signature := null;
  end if;
  if new.review_id is not null and not exists (
    select 1 from public.part_reviews pr where pr.id = new.review_id and pr.part_id = new.part_id
  ) then
    raise exception 'a review note belongs to a review of the same part' using errcode = '22023';
  end if;
  select max(r.revision_no) into new.revision_no from public.annotation_revisions r where r.part_id = new.part_id;
  if new.parent_id is not null then
    select * into v_parent from public.comments c where c.id = new.parent_id;
    if v_parent.part_id is distinct from new.part_id then
      raise exception 'a reply belongs to the same part as its comment' using errcode = '22023';
    end if;
    if v_parent.parent_id is not null then
      raise exception 'reply to the comment that starts the thread' using errcode = '22023';
    end if;
  end if;
  new.body := btrim(new.body);
  new.resolved_at := null;
  new.resolved_by := null;
  -- the statement's time, not the transaction's: a review's notes keep the order they were written in
  new.created_at := clock_timestamp();
  if v_uid is not null then
    new.author_id := v_uid;
    new.share_link_id := null;
    select coalesce(nullif(pr.display_name, ''), pr.email) into new.author_name
    from public.profiles pr where pr.user_id = v_uid;
    new.mentions := private.mentioned_members(new.workspace_id, new.body);
  else
    -- a guest with a share link: named by what they typed, mentions nobody
    v_link := private.current_share_link();
    new.author_id := null;
    new.share_link_id := v_link.id;
    if char_length(btrim(coalesce(new.author_name, ''))) = 0 then
      raise exception 'say who you are: a name is needed to comment as a guest' using errcode = '22023';
    end if;
    new.author_name := left(btrim(new.author_name), 100) || ' (guest)';
    new.mentions := '{}';
  end if;
  return new;
end
$$;
create trigger comments_defaults before insert on public.comments
for each row execute function private.comments_defaults();

-- After posting, a comment changes only by being resolved or reopened (the start of a thread).
create or replace function private.comments_guard() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if (to_jsonb(new) - '{resolved_at,resolved_by}'::text[]) <> (to_jsonb(old) - '{resolved_at,resolved_by}'::text[]) then
    raise exception 'a comment cannot be edited; reply to it instead' using errcode = 'FC005';
  end if;
  if old.parent_id is not null and new.resolved_at is distinct from old.resolved_at then
    raise exception 'resolve the thread, not a reply' using errcode = '22023';
  end if;
  if new.resolved_at is not null and old.resolved_at is null then
    new.resolved_at := now();
    new.resolved_by := (select auth.uid());
  elsif new.resolved_at is null then
    new.resolved_by := null;
  else
    new.resolved_at := old.resolved_at;
    new.resolved_by := old.resolved_by;
  end if;
  return new;
end
$$;
create trigger comments_guard before update on public.comments
for each row execute function private.comments_guard();

create policy "Members read comments" on public.comments
  for select to authenticated using (private.is_member(workspace_id));
create policy "Members who work on parts comment; reviewers write review notes" on public.comments
  for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and private.has_role(workspace_id, '{admin,engineer,annotator,ml_engineer}')
    and (kind = 'comment' or private.has_role(workspace_id, '{admin,engineer}'))
  );
create policy "Members who work on parts resolve and reopen threads" on public.comments
  for update to authenticated
  using (private.has_role(workspace_id, '{admin,engineer,annotator,ml_engineer}'))
  with check (private.has_role(workspace_id, '{admin,engineer,annotator,ml_engineer}'));
create policy "A share link shows its part's comments" on public.comments
  for select to anon using (part_id = private.share_part_id());
create policy "A share link with comment rights comments on its part" on public.comments
  for insert to anon
  with check (part_id = private.share_part_id() and private.share_allows_comments()
              and kind = 'comment' and author_id is null);

-- Notifications -----------------------------------------------------------------------------------
create table public.notifications (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null check (kind in ('mention', 'reply', 'review_rejected', 'review_approved')),
  part_id uuid references public.parts (id) on delete cascade,
  comment_id uuid references public.comments (id) on delete cascade,
  actor_id uuid references auth.users (id) on delete set null,
  actor_name text,
  summary text not null check (char_length(summary) <= 300),
  read_at timestamptz,
  created_at timestamptz not null default now()
);
alter table public.notifications enable row level security;
create index notifications_user_idx on public.notifications (user_id, workspace_id, created_at desc);
create index notifications_unread_idx on public.notifications (user_id) where read_at is null;

create or replace function private.notifications_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if (to_jsonb(new) - 'read_at') <> (to_jsonb(old) - 'read_at') then
    raise exception 'a notification can only be marked read or unread' using errcode = 'FC005';
  end if;
  return new;
end
$$;
create trigger notifications_guard before update on public.notifications
for each row execute function private.notifications_guard();

create policy "Users see their own notifications" on public.notifications
  for select to authenticated using (user_id = (select auth.uid()) and private.is_member(workspace_id));
create policy "Users mark their own notifications read" on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()) and private.is_member(workspace_id))
  with check (user_id = (select auth.uid()) and private.is_member(workspace_id));
-- written by the triggers below only

create or replace function private.notify(
  p_workspace_id uuid, p_user_id uuid, p_kind text, p_part_id uuid, p_comment_id uuid, p_summary text
) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_id bigint;
begin
  if p_user_id is null or p_user_id is not distinct from v_uid or not exists (
    select 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = p_user_id
  ) then
    return;
  end if;
  insert into public.notifications (workspace_id, user_id, kind, part_id, comment_id, actor_id, actor_name, summary)
  values (p_workspace_id, p_user_id, p_kind, p_part_id, p_comment_id, v_uid,
          (select coalesce(nullif(pr.display_name, ''), pr.email) from public.profiles pr where pr.user_id = v_uid),
          left(p_summary, 300))
  returning id into v_id;
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', p_workspace_id, 'part_id', p_part_id, 'kind', 'notification',
    'user_id', p_user_id, 'notification_id', v_id)::text);
end
$$;
revoke all on function private.notify(uuid, uuid, text, uuid, uuid, text) from public, anon, authenticated;

create or replace function private.comments_after() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_part_name text;
  v_parent_author uuid;
  v_user uuid;
  v_op text;
begin
  select p.name into v_part_name from public.parts p where p.id = new.part_id;
  if tg_op = 'INSERT' then
    v_op := 'created';
    foreach v_user in array new.mentions loop
      perform private.notify(new.workspace_id, v_user, 'mention', new.part_id, new.id,
        new.author_name || ' mentioned you on ' || v_part_name || ': ' || left(new.body, 160));
    end loop;
    if new.parent_id is not null then
      select c.author_id into v_parent_author from public.comments c where c.id = new.parent_id;
      if v_parent_author is not null and not (v_parent_author = any (new.mentions)) then
        perform private.notify(new.workspace_id, v_parent_author, 'reply', new.part_id, new.id,
          new.author_name || ' replied on ' || v_part_name || ': ' || left(new.body, 160));
      end if;
    end if;
    perform private.audit(new.workspace_id, 'comment.created', 'comments', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'kind', new.kind, 'parent_id', new.parent_id,
                         'face_index', new.face_index, 'author_name', new.author_name,
                         'share_link_id', new.share_link_id, 'excerpt', left(new.body, 200)));
  elsif new.resolved_at is distinct from old.resolved_at then
    v_op := case when new.resolved_at is null then 'reopened' else 'resolved' end;
    perform private.audit(new.workspace_id, 'comment.' || v_op, 'comments', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'kind', new.kind, 'excerpt', left(new.body, 200)));
  else
    return null;
  end if;
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', new.workspace_id, 'part_id', new.part_id, 'kind', 'comment',
    'comment_id', new.id, 'op', v_op)::text);
  return null;
end
$$;
create trigger comments_after after insert or update on public.comments
for each row execute function private.comments_after();

create or replace function private.part_reviews_after() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_part_name text;
begin
  select p.name into v_part_name from public.parts p where p.id = new.part_id;
  perform private.audit(new.workspace_id, 'part.reviewed', 'part_reviews', new.id::text,
    jsonb_build_object('part_id', new.part_id, 'decision', new.decision, 'revision_no', new.revision_no,
                       'annotator_id', new.annotator_id, 'summary', left(new.summary, 500)));
  perform private.notify(new.workspace_id, new.annotator_id,
    case new.decision when 'approved' then 'review_approved' else 'review_rejected' end,
    new.part_id, null,
    case new.decision when 'approved' then v_part_name || ' was approved'
         else v_part_name || ' came back with review notes' end
    || coalesce(': ' || left(new.summary, 160), ''));
  return null;
end
$$;
create trigger part_reviews_after after insert on public.part_reviews
for each row execute function private.part_reviews_after();

-- Every saved revision is in the part's history.
create or replace function private.annotation_revisions_audit() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.audit(new.workspace_id, 'revision.created', 'annotation_revisions', new.id::text,
    jsonb_build_object('part_id', new.part_id, 'revision_no', new.revision_no, 'source', new.source,
                       'model_assisted', new.model_assisted));
  return null;
end
$$;
create trigger annotation_revisions_audit after insert on public.annotation_revisions
for each row execute function private.annotation_revisions_audit();

-- History of a part ----------------------------------------------------------------------------------
create index audit_events_part_idx on public.audit_events ((data ->> 'part_id')) where data ? 'part_id';

-- Every event about a part (status changes, claims, revisions, reviews, comments, share links), oldest
-- first, for any member of its workspace (the audit log itself is for admins).
create or replace function public.part_history(p_part_id uuid)
returns table (id bigint, action text, actor_id uuid, actor_kind text, actor_name text, data jsonb, created_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select e.id, e.action, e.actor_id, e.actor_kind, coalesce(nullif(pr.display_name, ''), pr.email), e.data, e.created_at
  from public.parts p
  join public.audit_events e on e.workspace_id = p.workspace_id
  left join public.profiles pr on pr.user_id = e.actor_id
  where p.id = p_part_id and private.is_member(p.workspace_id)
    and ((e.target_table = 'parts' and e.target_id = p_part_id::text)
         or (e.data ? 'part_id' and e.data ->> 'part_id' = p_part_id::text))
  order by e.created_at, e.id
$$;
revoke execute on function public.part_history(uuid) from public, anon;
grant execute on function public.part_history(uuid) to authenticated, service_role;
