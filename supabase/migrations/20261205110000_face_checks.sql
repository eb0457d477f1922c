-- What the annotator did with each pre-labelled face, stored with every human revision, and the
-- submission rule that follows from it: a pre-labelled face the models were unsure of (confidence
-- below the dataset's `confirm_below`) cannot be sent to review untouched and unconfirmed. Anchoring
-- on pre-labels is the best-known failure of model-assisted labelling; this makes the look explicit.

-- 1. Per face: changed (the label differs from the pre-label), confirmed (kept after an explicit
--    confirmation), seen (kept; the annotator looked at it), unseen (kept without a look).
create type public.face_check as enum ('changed', 'confirmed', 'seen', 'unseen');

alter table public.annotation_revisions add column face_checks public.face_check[];
alter table public.annotation_revisions add constraint annotation_revisions_face_checks_check
  check (face_checks is null
         or (jsonb_typeof(document -> 'labels') = 'array'
             and cardinality(face_checks) = jsonb_array_length(document -> 'labels')
             and array_position(face_checks, null) is null));
comment on column public.annotation_revisions.face_checks is
  'Per face (0-based face i at [i+1]): changed, confirmed, seen or unseen against the part''s pre-label on the same face numbering. Set by private.annotation_revision_face_checks on human revisions (changed is computed there, whatever the insert says); null without a pre-label and on model, import and consensus revisions.';

-- 2. The threshold: below it a pre-labelled face must be confirmed or changed before submission.
alter table public.datasets add column confirm_below real not null default 0.6
  constraint datasets_confirm_below_check check (confirm_below >= 0 and confirm_below <= 1);
comment on column public.datasets.confirm_below is
  'A pre-labelled face whose confidence is below this must be confirmed or changed before the part is submitted (0: never).';

-- The part's newest pre-label made on a face numbering: its labels and per-face confidences. With the
-- caller's rights, and for the owner only: the security-definer rules below call it.
create function private.prelabel_on(p_part_id uuid, p_face_signature text)
returns table (labels jsonb, confidence jsonb)
language sql stable set search_path = '' as $$
  select r.document -> 'labels', r.document -> 'prelabel' -> 'confidence'
  from public.annotation_revisions r
  where r.part_id = p_part_id and r.source = 'model' and r.face_signature = p_face_signature
    and jsonb_typeof(r.document -> 'labels') = 'array'
  order by r.revision_no desc
  limit 1
$$;
revoke all on function private.prelabel_on(uuid, text) from public, anon, authenticated;

-- 3. Each human revision's checks, against the pre-label on its face numbering. What the annotator
--    says is kept only where the database cannot know better: `changed` is computed from the labels
--    (a label differing from the pre-label), `confirmed` and `seen` are taken from the insert on the
--    other faces, anything else is `unseen`. Without a pre-label there is nothing to check: null.
create function private.annotation_revision_face_checks() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_pre jsonb;
  v_labels jsonb := new.document -> 'labels';
  v_said public.face_check[] := new.face_checks;
  v_out public.face_check[];
begin
  if new.source <> 'human' or jsonb_typeof(v_labels) is distinct from 'array' then
    new.face_checks := null;
    return new;
  end if;
  select p.labels into v_pre from private.prelabel_on(new.part_id, new.face_signature) p;
  if v_pre is null then
    new.face_checks := null;
    return new;
  end if;
  if v_said is not null and cardinality(v_said) <> jsonb_array_length(v_labels) then
    raise exception 'face_checks has % entries for % faces', cardinality(v_said), jsonb_array_length(v_labels)
      using errcode = '22023';
  end if;
  -- one pass over the faces (set-based: an array appended in a loop is copied at every step)
  select array_agg(case
           when l.label is distinct from coalesce(p.label, 'null'::jsonb) then 'changed'
           when v_said[l.i::integer] in ('confirmed', 'seen') then v_said[l.i::integer]
           else 'unseen'
         end::public.face_check order by l.i)
    into v_out
  from jsonb_array_elements(v_labels) with ordinality l(label, i)
  left join jsonb_array_elements(v_pre) with ordinality p(label, i) on p.i = l.i;
  new.face_checks := v_out;
  return new;
end
$$;
-- after annotation_revisions_defaults (triggers of one timing run in name order): the part is known
create trigger annotation_revisions_face_checks before insert on public.annotation_revisions
  for each row execute function private.annotation_revision_face_checks();

-- 4. The submission rule: every unsure pre-labelled face of the submitted (latest) revision was
--    changed or confirmed (a revision without checks, e.g. the pre-label itself, confirmed nothing) (FC012, the faces least confident first in the detail), whoever submits.
create function private.parts_submission_checked(old public.parts, new public.parts) returns public.parts
language plpgsql security definer set search_path = '' as $$
declare
  v_revision public.annotation_revisions;
  v_pre record;
  v_below real;
  v_faces integer[];
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_submission_checked runs in the parts triggers only' using errcode = '42501';
  end if;
  select * into v_revision from public.annotation_revisions r
  where r.part_id = new.id order by r.revision_no desc limit 1;
  -- imported labels are someone's ground truth, not a pre-label to anchor on; any other latest
  -- revision (a human one, or the model's or a consensus start nobody saved over) is checked
  if v_revision.id is null or v_revision.source = 'import' then
    return new;
  end if;
  select d.confirm_below into v_below from public.datasets d where d.id = new.dataset_id;
  select p.labels, p.confidence into v_pre from private.prelabel_on(new.id, v_revision.face_signature) p;
  if v_pre.labels is null or jsonb_typeof(v_pre.confidence) is distinct from 'array' then
    return new;
  end if;
  select array_agg(c.face order by c.sure, c.face) into v_faces
  from (
    select (e.i - 1)::integer as face, e.value::real as sure
    from jsonb_array_elements(v_pre.confidence) with ordinality e(value, i)
    where jsonb_typeof(e.value) = 'number'
  ) c
  where c.sure < v_below
    and (v_revision.document -> 'labels' -> c.face) is not distinct from (v_pre.labels -> c.face)
    and coalesce(v_revision.face_checks[c.face + 1], 'unseen') <> 'confirmed';
  if cardinality(v_faces) > 0 then
    raise exception '% unsure pre-labelled % not confirmed yet: confirm or change % before submitting',
      cardinality(v_faces), case when cardinality(v_faces) = 1 then 'face is' else 'faces are' end,
      case when cardinality(v_faces) = 1 then 'it' else 'them' end
      using errcode = 'FC012', detail = array_to_string(v_faces, ',');
  end if;
  return new;
end
$$;
revoke all on function private.parts_submission_checked(public.parts, public.parts) from public, anon;
grant execute on function private.parts_submission_checked(public.parts, public.parts) to authenticated, service_role;

create or replace function private.parts_before_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- 1. identity, the status machine, who may write what, the consequences of a transition
  new := private.parts_guard(old, new);
  -- 2. the queue order follows the pre-label's confidence and the dataset
  new := private.parts_queue_priority(old, new);
  -- 3. review rules (returned_at; nobody decides on labels they saved)
  new := private.parts_review_consequences(old, new);
  -- 4. a submission needs every face labelled (who may submit was decided in 1) ...
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_complete(old, new);
  end if;
  -- 5. ... and every unsure pre-labelled face changed or confirmed
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_checked(old, new);
  end if;
  -- 6. consensus: record the annotation; back to the queue, or to review with the majority
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_consensus(old, new);
  end if;
  return new;
end
$$;
