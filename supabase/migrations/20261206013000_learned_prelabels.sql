-- Learned pre-labels (issue 20): a pre-labeler trained on a dataset's approved labels, in the
-- dataset's own label schema. Each training makes a model version; the worker evaluates it on approved
-- parts it did not train on and promotes it only when it beats the model in use on the same parts.
-- Model files are content-addressed in the blob store (`models/<sha256>`, core storage-keys.ts).
--
-- Who does what:
--   admins and engineers turn learning on, set how often it retrains and the queue order (the
--   labelling queue's settings, private.datasets_queue_settings_guard), and ask for a training now
--   (public.request_prelabel_training);
--   every member of the workspace reads its models; only the worker (service role) writes them.

-- 1. The dataset's settings -------------------------------------------------------------------------

alter table public.datasets
  -- new parts are pre-labelled also by the dataset's promoted learned model
  add column learned_prelabel boolean not null default false,
  -- a training is queued after this many approvals since the last one was asked for
  add column retrain_after integer not null default 25 check (retrain_after between 1 and 10000);

-- Beside "least confident first" and "oldest first": parts whose geometry lies where few parts are
-- approved yet ('most_novel'), and parts predicted to hold the classes with the fewest approved faces
-- ('rare_classes'). Their priorities are computed by private.refresh_queue_priorities.
alter table public.datasets drop constraint datasets_queue_order_check;
alter table public.datasets add constraint datasets_queue_order_check
  check (queue_order in ('least_confident', 'oldest', 'most_novel', 'rare_classes'));

-- The labelling queue's settings, now with learning: set by admins and engineers only.
create or replace function private.dataset_queue_settings(d public.datasets) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('prelabel', d.prelabel, 'queue_order', d.queue_order,
                            'required_annotations', d.required_annotations, 'max_held_parts', d.max_held_parts,
                            -- below it, pre-labelled faces must be confirmed before submission (face checks)
                            'confirm_below', d.confirm_below,
                            -- learned pre-labels (this migration)
                            'learned_prelabel', d.learned_prelabel, 'retrain_after', d.retrain_after)
$$;

create or replace function private.datasets_queue_settings_guard(old public.datasets, new public.datasets)
returns public.datasets
language plpgsql set search_path = '' as $$
declare
  v_before jsonb;
begin
  if current_user <> 'authenticated' or private.has_role(new.workspace_id, '{admin,engineer}') then
    return new;
  end if;
  if old.id is null then
    -- what the columns default to, i.e. a dataset made without naming them (dataset-settings.db.test.ts
    -- creates one so as an ML engineer: a default changed without this line fails it)
    v_before := private.dataset_queue_settings(jsonb_populate_record(new, jsonb_build_object(
      'prelabel', true, 'queue_order', 'least_confident', 'required_annotations', 1, 'max_held_parts', 3,
      'confirm_below', 0.6, 'learned_prelabel', false, 'retrain_after', 25)));
  else
    v_before := private.dataset_queue_settings(old);
  end if;
  if private.dataset_queue_settings(new) is distinct from v_before then
    raise exception 'only admins and engineers configure a dataset''s labelling queue (pre-labelling, learned pre-labels and retraining, queue order, annotations per part, parts held at once, the confidence below which pre-labels are confirmed)'
      using errcode = 'FC004';
  end if;
  return new;
end
$$;

-- 2. Models -----------------------------------------------------------------------------------------

create table public.prelabel_models (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  dataset_id uuid not null,
  -- 1, 2, 3 ... per dataset, in the order trainings started
  version integer not null check (version >= 1),
  status text not null default 'training'
    check (status in ('training', 'failed', 'evaluated', 'promoted', 'retired')),
  -- 'auto': after retrain_after approvals; 'manual': someone asked (requested_by)
  reason text not null check (reason in ('auto', 'manual')),
  requested_by uuid references auth.users (id) on delete set null,
  job_id uuid references public.jobs (id) on delete set null,
  -- the label schema (version) whose feature keys it predicts, in `classes` order
  label_schema_id uuid references public.label_schemas (id) on delete set null,
  classes text[] not null default '{}',
  -- the model file: `models/<model_sha256>` in the blob store (encodeModel of packages/prelabel)
  model_sha256 text check (model_sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint check (size_bytes >= 0),
  seed integer,
  -- what it trained on (the revisions are in prelabel_model_revisions)
  train_parts integer check (train_parts >= 0),
  train_faces integer check (train_faces >= 0),
  -- packages/prelabel evaluate.ts's Evaluation on the held-back parts: this model's, and that of the
  -- model in use when it was trained (baseline_model_id) on the very same parts
  evaluation jsonb check (evaluation is null or jsonb_typeof(evaluation) = 'object'),
  baseline_model_id uuid references public.prelabel_models (id) on delete set null,
  baseline_evaluation jsonb check (baseline_evaluation is null or jsonb_typeof(baseline_evaluation) = 'object'),
  -- why it was (not) promoted, in words; for a failed one, error says why it failed
  decision text check (char_length(decision) <= 2000),
  error text check (char_length(error) <= 2000),
  training_ms integer check (training_ms >= 0),
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  promoted_at timestamptz,
  retired_at timestamptz,
  unique (dataset_id, version),
  foreign key (workspace_id, dataset_id) references public.datasets (workspace_id, id) on delete cascade,
  check (status in ('training', 'failed') or (model_sha256 is not null and size_bytes is not null))
);
alter table public.prelabel_models enable row level security;
-- one model in use per dataset, one training at a time
create unique index prelabel_models_promoted_idx on public.prelabel_models (dataset_id) where status = 'promoted';
create unique index prelabel_models_training_idx on public.prelabel_models (dataset_id) where status = 'training';
create index prelabel_models_workspace_idx on public.prelabel_models (workspace_id, dataset_id, version desc);
create index prelabel_models_sha_idx on public.prelabel_models (model_sha256) where model_sha256 is not null;

-- The exact approved revisions a model saw: trained on (held_out false) or evaluated on (true).
create table public.prelabel_model_revisions (
  model_id uuid not null references public.prelabel_models (id) on delete cascade,
  part_id uuid not null references public.parts (id) on delete cascade,
  revision_id uuid not null references public.annotation_revisions (id) on delete cascade,
  held_out boolean not null,
  primary key (model_id, part_id)
);
alter table public.prelabel_model_revisions enable row level security;
create index prelabel_model_revisions_part_idx on public.prelabel_model_revisions (part_id);
create index prelabel_model_revisions_revision_idx on public.prelabel_model_revisions (revision_id);

revoke all on public.prelabel_models, public.prelabel_model_revisions from anon, authenticated;
grant select on public.prelabel_models, public.prelabel_model_revisions to authenticated;
grant all on public.prelabel_models, public.prelabel_model_revisions to service_role;

create policy "Members see their workspace's models" on public.prelabel_models
  for select to authenticated using (private.is_member(workspace_id));
create policy "Members see what their workspace's models trained on" on public.prelabel_model_revisions
  for select to authenticated
  using (exists (select 1 from public.prelabel_models m where m.id = model_id and private.is_member(m.workspace_id)));

comment on table public.prelabel_models is
  'Learned pre-labeler versions of a dataset (issue 20). Written by the worker (train-prelabeler) only; members read.';

-- 3. Asking for a training ----------------------------------------------------------------------------

-- A training of this dataset is queued or running.
create function private.training_pending(p_dataset_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.jobs j
    where j.kind = 'learning:train' and j.status in ('queued', 'running')
      and j.payload ->> 'datasetId' = p_dataset_id::text
  )
$$;
revoke all on function private.training_pending(uuid) from public, anon, authenticated;

-- Queue a training job (the dataset row is locked: two requests at once queue one). Refuses (FC003)
-- while one is queued or running. Returns the job's id. Called by the two entry points below.
create function private.queue_training(p_dataset_id uuid, p_reason text, p_user uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  v_workspace uuid;
  v_job uuid;
begin
  select d.workspace_id into v_workspace from public.datasets d where d.id = p_dataset_id for update;
  if v_workspace is null then
    raise exception 'no such dataset' using errcode = 'FC031';
  end if;
  if private.training_pending(p_dataset_id) then
    raise exception 'a training of this dataset is queued or running already: wait for it to finish'
      using errcode = 'FC003';
  end if;
  insert into public.jobs (workspace_id, kind, payload, created_by, max_attempts)
  values (v_workspace, 'learning:train',
          jsonb_build_object('datasetId', p_dataset_id, 'reason', p_reason), p_user, 1)
  returning id into v_job;
  return v_job;
end
$$;
revoke all on function private.queue_training(uuid, text, uuid) from public, anon, authenticated;

/**
 * "Train now": admins and engineers of the dataset's workspace queue a training of its learned
 * pre-labeler. Refused (FC003) while one is queued or running; FC004 for other roles; FC031 when
 * the dataset is not in that workspace (or not visible). Returns the job's id.
 */
create function public.request_prelabel_training(p_workspace_id uuid, p_dataset_id uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.datasets d where d.id = p_dataset_id and d.workspace_id = p_workspace_id)
     or not private.is_member(p_workspace_id) then
    raise exception 'no such dataset in this workspace' using errcode = 'FC031';
  end if;
  if not private.has_role(p_workspace_id, '{admin,engineer}') then
    raise exception 'only admins and engineers start a training of the learned pre-labeler' using errcode = 'FC004';
  end if;
  return private.queue_training(p_dataset_id, 'manual', (select auth.uid()));
end
$$;
revoke all on function public.request_prelabel_training(uuid, uuid) from public, anon;
grant execute on function public.request_prelabel_training(uuid, uuid) to authenticated, service_role;

-- 4. Retraining after approvals -----------------------------------------------------------------------

-- Approvals of the dataset since its last training was asked for (all of them before the first).
create function private.approvals_since_training(p_dataset_id uuid) returns integer
language sql stable security definer set search_path = '' as $$
  select count(*)::integer from public.parts p
  where p.dataset_id = p_dataset_id and p.status = 'approved'
    and p.status_changed_at > coalesce((
      select max(j.created_at) from public.jobs j
      where j.kind = 'learning:train' and j.payload ->> 'datasetId' = p_dataset_id::text
        and j.workspace_id = p.workspace_id
    ), '-infinity'::timestamptz)
$$;
revoke all on function private.approvals_since_training(uuid) from public, anon, authenticated;

-- A part became approved: when learning is on and enough approvals came since the last training was
-- asked for, queue one (reason 'auto'); never while one is queued or running. A separate trigger, not a
-- step of parts_after_update: it acts for the system (definer), after the approval is recorded.
create function private.parts_retrain_after_approval() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_after integer;
begin
  select d.retrain_after into v_after from public.datasets d
  where d.id = new.dataset_id and d.learned_prelabel;
  if v_after is null or private.training_pending(new.dataset_id) then
    return null;
  end if;
  if private.approvals_since_training(new.dataset_id) >= v_after then
    begin
      perform private.queue_training(new.dataset_id, 'auto', null);
    exception when sqlstate 'FC003' then
      -- another approval queued it meanwhile: one training is enough
      null;
    end;
  end if;
  return null;
end
$$;
create trigger parts_retrain_after_approval after update of status on public.parts
for each row when (new.status = 'approved' and old.status is distinct from 'approved')
execute function private.parts_retrain_after_approval();

-- 5. What the worker reads ----------------------------------------------------------------------------

-- The training set's labels in the dataset's current label schema version (as face checks read a
-- pre-label): the worker reads them as the service.
grant execute on function private.labels_in_schema(jsonb, uuid, uuid) to service_role;
