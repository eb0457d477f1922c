-- Who configures a dataset's labelling queue (issue 17, item 15). Pre-labelling, queue order,
-- independent annotations per part and parts held at once decide how labelling runs: they are set by
-- those who run it, admins and engineers (packages/core roles.ts: datasets.configure). ML engineers
-- still create datasets and edit what they curate (row-level security as before); this step refuses
-- them the queue's columns, whatever the API checked first.
--
-- Organised as the rules of parts are (20261205000100_one_rule_per_decision.sql): one trigger per
-- timing and event, whose dispatcher calls plain steps of the old and the new row in the order written.
-- datasets_touch becomes the dispatcher's last step; the AFTER triggers (audit, queue order) stay.

-- The labelling queue's settings of a dataset, as one value to compare.
create function private.dataset_queue_settings(d public.datasets) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('prelabel', d.prelabel, 'queue_order', d.queue_order,
                            'required_annotations', d.required_annotations, 'max_held_parts', d.max_held_parts,
                            -- below it, pre-labelled faces must be confirmed before submission (face checks)
                            'confirm_below', d.confirm_below)
$$;

-- Only admins and engineers set them (old is null on insert: a new dataset made by anyone else keeps
-- the columns' defaults). Security invoker on purpose: current_user = 'authenticated' is a user's
-- direct write; the service and security-definer functions are not refused.
create function private.datasets_queue_settings_guard(old public.datasets, new public.datasets)
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
      'confirm_below', 0.6)));
  else
    v_before := private.dataset_queue_settings(old);
  end if;
  if private.dataset_queue_settings(new) is distinct from v_before then
    raise exception 'only admins and engineers configure a dataset''s labelling queue (pre-labelling, queue order, annotations per part, parts held at once, the confidence below which pre-labels are confirmed)'
      using errcode = 'FC004';
  end if;
  return new;
end
$$;

create function private.datasets_before_insert() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- 1. a new dataset's queue settings: defaults unless an admin or an engineer sets them
  new := private.datasets_queue_settings_guard(null, new);
  return new;
end
$$;

create function private.datasets_before_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- 1. who may change the labelling queue's settings
  new := private.datasets_queue_settings_guard(old, new);
  -- 2. updated_at (was the trigger datasets_touch)
  new.updated_at := now();
  return new;
end
$$;

drop trigger datasets_touch on public.datasets;
create trigger datasets_before_insert before insert on public.datasets
for each row execute function private.datasets_before_insert();
create trigger datasets_before_update before update on public.datasets
for each row execute function private.datasets_before_update();

comment on column public.datasets.queue_order is
  'How the labelling queue is served. Set by admins and engineers only (private.datasets_queue_settings_guard), like prelabel, required_annotations and max_held_parts.';
