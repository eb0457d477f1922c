-- One rule for each decision (issue 16, items 4 and 5). Nothing here changes what the database
-- accepts, refuses, records or notifies, except the tie rule's new home (3), which keeps the rule.
--
-- 1. The triggers of public.parts, spread over five migrations and run in the alphabetical order of
--    their names, become one trigger per timing and event. Each trigger's function calls the steps in
--    the order written in it; each step is a plain function of the old and the new row (null on
--    insert / delete) that returns the new row (BEFORE) or nothing (AFTER). The WHEN and UPDATE OF
--    conditions of the old triggers are the dispatchers' `if`s. A new rule on parts is a step in a
--    dispatcher, never another trigger (packages/db/src/parts-triggers.db.test.ts checks the list).
-- 2. One writer of revision numbers: annotation_revision_defaults sets revision_no to the part's
--    max + 1, whatever the caller sent. Saves still cannot both take the same number (the unique
--    key), and appendRevision refuses a number other than the one after the revision it checked.
-- 3. One majority vote: private.face_majority, used by the consensus step and read by the review page
--    (getPartConsensus). Ties go to the byte-order first of the tied labels, as before.
-- 4. audit_row_change's "which columns changed" is a function of its own, shared with the parts step.

-- 4. Changed columns -------------------------------------------------------------------------------

-- {"column": {"from": …, "to": …}} for each column whose value differs, updated_at and p_hidden left out.
create or replace function private.changed_columns(p_old jsonb, p_new jsonb, p_hidden text[] default '{}')
returns jsonb
language sql immutable set search_path = '' as $$
  select coalesce(jsonb_object_agg(k, jsonb_build_object('from', p_old -> k, 'to', p_new -> k)), '{}'::jsonb)
  from jsonb_object_keys(p_new) k
  where k <> all (p_hidden) and k <> 'updated_at' and (p_old -> k) is distinct from (p_new -> k)
$$;

create or replace function private.audit_row_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_hidden text[] := case when tg_nargs > 1 then string_to_array(tg_argv[1], ',') else '{}'::text[] end;
  v_row jsonb := coalesce(v_new, v_old);
  v_changed jsonb := '{}'::jsonb;
begin
  if tg_op = 'UPDATE' then
    v_changed := private.changed_columns(v_old, v_new, v_hidden);
    if v_changed = '{}'::jsonb then
      return null;
    end if;
  end if;
  perform private.audit(
    coalesce(v_row ->> 'workspace_id', case when tg_table_name = 'workspaces' then v_row ->> 'id' end)::uuid,
    tg_argv[0] || '.' || case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end,
    tg_table_name,
    coalesce(v_row ->> 'id', v_row ->> 'user_id'),
    case when tg_op = 'UPDATE' then jsonb_build_object('changed', v_changed)
         else jsonb_build_object('row', v_row - v_hidden) end
  );
  return null;
end
$$;

-- 1. The triggers of public.parts ------------------------------------------------------------------

drop trigger parts_insert_guard on public.parts;
drop trigger parts_guard on public.parts;
drop trigger parts_queue_priority on public.parts;
drop trigger parts_review_consequences on public.parts;
drop trigger parts_submission_complete on public.parts;
drop trigger parts_submission_consensus on public.parts;
drop trigger parts_audit on public.parts;
drop trigger parts_edit_audit on public.parts;
drop trigger parts_notify on public.parts;

drop function private.parts_insert_guard();
drop function private.parts_guard();
drop function private.parts_queue_priority();
drop function private.parts_review_consequences();
drop function private.parts_submission_complete();
drop function private.parts_submission_consensus();
drop function private.audit_part_status();
drop function private.notify_part_change();

-- The steps, in the order the dispatchers below call them. Their bodies are those of the trigger
-- functions they replace (migrations 0300, 0800, 0900, 1000, 1100), with `old` and `new` as arguments.
-- Steps that rely on current_user ('authenticated' is a user's direct write) are security invoker; the
-- security-definer ones run only from a trigger (pg_trigger_depth), so nobody calls them by hand.

-- New parts start as uploaded (users); the pipeline may insert them further on.
create function private.parts_insert_guard(old public.parts, new public.parts) returns public.parts
language plpgsql set search_path = '' as $$
begin
  if new.status <> 'uploaded' and current_user = 'authenticated' then
    raise exception 'new parts start as uploaded' using errcode = 'FC001';
  end if;
  return new;
end
$$;

-- The status machine and the role rules for direct updates by users.
-- Updates made by security-definer functions (claim_next_part, ...) or the service role are
-- checked for legality only; updates made directly as `authenticated` are checked for who may
-- do them, per workspace role.
-- Security invoker on purpose: current_user tells a direct update by a user ('authenticated')
-- from one made inside a security-definer function or by the service.
create function private.parts_guard(old public.parts, new public.parts) returns public.parts
language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_role public.member_role;
  v_direct boolean := current_user = 'authenticated';
  v_allowed text[];
  -- set below by this step, whatever the caller wrote; everything else a user writes is checked.
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

-- queue_priority (lower is served first) follows the dataset's order whenever a part's confidence
-- changes or the dataset's order does (datasets_queue_order). On insert `old` is null.
create function private.parts_queue_priority(old public.parts, new public.parts) returns public.parts
language plpgsql set search_path = '' as $$
begin
  if old.id is null or new.prelabel_confidence is distinct from old.prelabel_confidence
     or new.dataset_id is distinct from old.dataset_id then
    new.queue_priority := coalesce(private.part_queue_priority(new.dataset_id, new.prelabel_confidence), 0);
  end if;
  return new;
end
$$;

-- A rejected part goes back to the annotator who submitted it and stays theirs: returned_at marks it.
create function private.parts_review_consequences(old public.parts, new public.parts) returns public.parts
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

-- Submission rule: in_progress -> in_review needs a latest revision made on the part's current face
-- numbering with a label on every face (FC008), whoever submits. Who may submit is decided before.
create function private.parts_submission_complete(old public.parts, new public.parts) returns public.parts
language plpgsql security definer set search_path = '' as $$
declare
  v_signature text;
  v_face_count integer;
  v_revision public.annotation_revisions;
  v_labels jsonb;
  v_missing integer;
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_submission_complete runs in the parts triggers only' using errcode = '42501';
  end if;
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

-- 3. The majority vote ------------------------------------------------------------------------------

-- Each face's majority over the independent annotations of a part on one face numbering (0-based
-- faces; every face up to the longest annotation): the label most annotators gave, how many gave it,
-- how many labelled the face, and whether another label had as many votes. A tie goes to the
-- byte-order (collate "C") first of the tied labels: a part reaches review only with every face
-- labelled by everyone (FC008), and byte order favours nobody, not the first or the last to submit.
-- The review page shows tied faces as disagreements. Runs with the caller's rights (row-level
-- security): the consensus step calls it as the owner, the review page as the member.
create function private.face_majority(p_part_id uuid, p_face_signature text)
returns table (face integer, label text, votes integer, raters integer, tied boolean)
language sql stable set search_path = '' as $$
  with ann as (
    select r.document -> 'labels' as labels
    from public.independent_annotations i join public.annotation_revisions r on r.id = i.revision_id
    where i.part_id = p_part_id and i.face_signature = p_face_signature
      and jsonb_typeof(r.document -> 'labels') = 'array'
  ), counted as (
    select (e.i - 1)::integer as face, e.label, count(*)::integer as n
    from ann cross join lateral jsonb_array_elements_text(ann.labels) with ordinality e(label, i)
    where e.label is not null
    group by e.i, e.label
  ), ranked as (
    select c.face, c.label, c.n,
           row_number() over (partition by c.face order by c.n desc, c.label collate "C") as place,
           count(*) over (partition by c.face, c.n) as sharing,
           sum(c.n) over (partition by c.face) as raters
    from counted c
  )
  select f.face, r.label, coalesce(r.n, 0), coalesce(r.raters, 0)::integer, coalesce(r.sharing > 1, false)
  from generate_series(0, (select coalesce(max(jsonb_array_length(ann.labels)), 0) - 1 from ann)) f(face)
  left join ranked r on r.face = f.face and r.place = 1
  order by f.face
$$;
revoke all on function private.face_majority(uuid, text) from public, anon;
grant execute on function private.face_majority(uuid, text) to authenticated, service_role;

-- Consensus: a dataset needing several independent annotations records each submission; until there
-- are enough, the part goes back to the queue from its pre-label; with the last one it goes to review
-- with each face's majority (private.face_majority) and the last annotation's instances that fit.
-- The revisions it writes take their numbers from annotation_revision_defaults.
create function private.parts_submission_consensus(old public.parts, new public.parts) returns public.parts
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
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_submission_consensus runs in the parts triggers only' using errcode = '42501';
  end if;
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
    insert into public.annotation_revisions (part_id, author_id, label_schema_id, face_signature,
      document, model_assisted, source)
    values (new.id, null, v_revision.label_schema_id, v_revision.face_signature,
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

  -- the last one: each face's majority (private.face_majority), instances of the last annotation
  -- that still fit
  select jsonb_agg(to_jsonb(m.label) order by m.face) into v_labels
  from private.face_majority(new.id, v_revision.face_signature) m;
  select coalesce(jsonb_agg(inst), '[]'::jsonb) into v_instances
  from jsonb_array_elements(coalesce(v_revision.document -> 'instances', '[]'::jsonb)) inst
  where not exists (
    select 1 from jsonb_array_elements_text(inst -> 'faces') f
    where (v_labels ->> (f::integer)) is distinct from (inst ->> 'feature'));
  insert into public.annotation_revisions (part_id, author_id, label_schema_id, face_signature,
    document, model_assisted, source)
  values (new.id, null, v_revision.label_schema_id, v_revision.face_signature,
    jsonb_build_object('schemaVersion', 1, 'faceSignature', v_revision.face_signature, 'faceCount', v_faces,
      'labels', v_labels, 'instances', v_instances,
      'provenance', jsonb_build_object('consensus', 'majority of independent annotations', 'annotations', v_count)),
    false, 'consensus');
  return new;
end
$$;

-- Audit: a part created or deleted, and its status changes (old null: created; new null: deleted).
create function private.parts_audit_status(old public.parts, new public.parts) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_audit_status runs in the parts triggers only' using errcode = '42501';
  end if;
  if old.id is null then
    perform private.audit(new.workspace_id, 'part.created', 'parts', new.id::text,
      jsonb_build_object('name', new.name, 'blob_sha256', new.blob_sha256, 'dataset_id', new.dataset_id));
  elsif new.id is null then
    perform private.audit(old.workspace_id, 'part.deleted', 'parts', old.id::text,
      jsonb_build_object('name', old.name, 'status', old.status));
  elsif new.status is distinct from old.status then
    perform private.audit(new.workspace_id, 'part.status_changed', 'parts', new.id::text,
      jsonb_build_object('from', old.status, 'to', new.status, 'annotator_id', new.annotator_id));
  end if;
end
$$;

-- Audit: edits that are not status changes (renames, moves, curation), as audit_row_change('part')
-- recorded them: every column that changed.
create function private.parts_audit_edit(old public.parts, new public.parts) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_changed jsonb := private.changed_columns(to_jsonb(old), to_jsonb(new));
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_audit_edit runs in the parts triggers only' using errcode = '42501';
  end if;
  if v_changed = '{}'::jsonb then
    return;
  end if;
  perform private.audit(new.workspace_id, 'part.updated', 'parts', new.id::text,
    jsonb_build_object('changed', v_changed));
end
$$;

-- Change event for the live pages. status: status or holder changed (claim, release, submit,
-- review, expiry sweep); lease: renewed.
create function private.parts_notify(old public.parts, new public.parts) returns void
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
end
$$;

revoke all on function private.parts_submission_complete(public.parts, public.parts),
  private.parts_submission_consensus(public.parts, public.parts),
  private.parts_audit_status(public.parts, public.parts),
  private.parts_audit_edit(public.parts, public.parts) from public, anon;
grant execute on function private.parts_submission_complete(public.parts, public.parts),
  private.parts_submission_consensus(public.parts, public.parts),
  private.parts_audit_status(public.parts, public.parts),
  private.parts_audit_edit(public.parts, public.parts) to authenticated, service_role;

-- The dispatchers: the order of the steps is the order written here.

create function private.parts_before_insert() returns trigger
language plpgsql set search_path = '' as $$
begin
  new := private.parts_insert_guard(null, new);
  new := private.parts_queue_priority(null, new);
  return new;
end
$$;

create function private.parts_before_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- 1. identity, the status machine, who may write what, the consequences of a transition
  new := private.parts_guard(old, new);
  -- 2. the queue order follows the pre-label's confidence and the dataset
  new := private.parts_queue_priority(old, new);
  -- 3. review rules (returned_at; nobody decides on labels they saved)
  new := private.parts_review_consequences(old, new);
  -- 4. a submission needs every face labelled (who may submit was decided in 1)
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_complete(old, new);
  end if;
  -- 5. consensus: record the annotation; back to the queue, or to review with the majority
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_consensus(old, new);
  end if;
  return new;
end
$$;

create function private.parts_after_insert() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform private.parts_audit_status(null, new);
  return null;
end
$$;

create function private.parts_after_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- 1. the status change in the audit log
  if new.status is distinct from old.status then
    perform private.parts_audit_status(old, new);
  end if;
  -- 2. edits that are not status changes
  if (old.name, old.dataset_id, old.split, old.tags, old.review_notes)
     is distinct from (new.name, new.dataset_id, new.split, new.tags, new.review_notes) then
    perform private.parts_audit_edit(old, new);
  end if;
  -- 3. the live pages
  if old.status is distinct from new.status or old.annotator_id is distinct from new.annotator_id
     or old.lease_expires_at is distinct from new.lease_expires_at then
    perform private.parts_notify(old, new);
  end if;
  return null;
end
$$;

create function private.parts_after_delete() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform private.parts_audit_status(old, null);
  return null;
end
$$;

create trigger parts_before_insert before insert on public.parts
for each row execute function private.parts_before_insert();
create trigger parts_before_update before update on public.parts
for each row execute function private.parts_before_update();
create trigger parts_after_insert after insert on public.parts
for each row execute function private.parts_after_insert();
create trigger parts_after_update after update on public.parts
for each row execute function private.parts_after_update();
create trigger parts_after_delete after delete on public.parts
for each row execute function private.parts_after_delete();

-- 2. One writer of revision numbers ---------------------------------------------------------------

-- workspace_id and blob_sha256 come from the part, and revision_no is the part's next number,
-- whatever the caller wrote. Two saves that read the same max both take the same number and the
-- unique key (part_id, revision_no) refuses the second (23505, CONFLICT).
create or replace function private.annotation_revision_defaults() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  select p.workspace_id, p.blob_sha256 into new.workspace_id, new.blob_sha256
  from public.parts p where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  select coalesce(max(r.revision_no), 0) + 1 into new.revision_no
  from public.annotation_revisions r where r.part_id = new.part_id;
  return new;
end
$$;

comment on column public.annotation_revisions.revision_no is
  'Set by private.annotation_revision_defaults (the part''s max + 1), whatever the insert says.';
