-- Queue orders that send approvals where the learned pre-labeler is weakest (issue 20):
--   'most_novel'   parts whose geometry fingerprint lies in a region few approved parts come from;
--   'rare_classes' parts whose pre-label predicts the classes with the fewest approved faces.
-- Lower queue_priority is served first, as before. Each order's priority is a share in [0, 1]:
--   most_novel:   the share of approved parts in the part's cluster (0: none of its kind approved yet);
--   rare_classes: the smallest share of the dataset's approved faces among the classes its pre-label
--                 predicts (0: it predicts a class nobody approved yet; also 0 without a pre-label).
-- The clusters and class shares are worked out set-based by private.refresh_queue_priorities (every part
-- of the dataset in one pass) and kept in private.queue_stats, so that a single part entering the queue
-- (pre-labelled, or its geometry attached) is placed by the per-row trigger in constant time. They are
-- refreshed on switching to the order, after each training (the worker), and after approvals (every
-- max(10, approved/10) approvals, in the approving transaction).

create table private.queue_stats (
  dataset_id uuid primary key references public.datasets (id) on delete cascade,
  queue_order text not null,
  -- most_novel: cluster centres (fingerprints of a deterministic sample of the dataset's parts) and the
  -- share of approved parts among the parts nearest each centre
  centers extensions.cube[] not null default '{}',
  cluster_share real[] not null default '{}',
  -- rare_classes: {feature key: share of the approved faces}
  class_share jsonb not null default '{}',
  approved integer not null default 0,
  refreshed_at timestamptz not null default now()
);
alter table private.queue_stats enable row level security;
grant select, insert, update, delete on private.queue_stats to service_role;

-- How many cluster centres a dataset's fingerprints are cut into, at most.
create function private.queue_clusters() returns integer
language sql immutable set search_path = '' as $$ select 32 $$;

-- The labels of a part's newest pre-label, in its dataset's current label schema version.
create function private.prelabel_labels(p_part_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id)
  from public.annotation_revisions r
  join public.parts p on p.id = r.part_id
  join public.datasets d on d.id = p.dataset_id
  where r.part_id = p_part_id and r.source = 'model' and jsonb_typeof(r.document -> 'labels') = 'array'
  order by r.revision_no desc
  limit 1
$$;
revoke all on function private.prelabel_labels(uuid) from public, anon, authenticated;

-- One part's priority under a learning order, from the stats of the last refresh (0 without them).
create function private.part_learning_priority(p_part_id uuid, p_dataset_id uuid, p_geometry_id uuid, p_order text)
returns real
language plpgsql stable security definer set search_path = '' as $$
declare
  v_stats private.queue_stats;
  v_share real;
begin
  select * into v_stats from private.queue_stats s where s.dataset_id = p_dataset_id;
  if v_stats.dataset_id is null or v_stats.queue_order <> p_order then
    return 0;
  end if;
  if p_order = 'most_novel' then
    select v_stats.cluster_share[c.k] into v_share
    from public.part_geometry g
    cross join lateral (
      select u.k from unnest(v_stats.centers) with ordinality u(c, k)
      order by u.c operator(extensions.<->) extensions.cube(g.shape_descriptor::float8[]) limit 1
    ) c
    where g.id = p_geometry_id and g.shape_descriptor is not null;
  else
    select min(coalesce((v_stats.class_share ->> l.label)::real, 0)) into v_share
    from jsonb_array_elements_text(private.prelabel_labels(p_part_id)) l(label);
  end if;
  return coalesce(v_share, 0);
end
$$;
revoke all on function private.part_learning_priority(uuid, uuid, uuid, text) from public, anon;
grant execute on function private.part_learning_priority(uuid, uuid, uuid, text) to authenticated, service_role;

/**
 * Work out a dataset's queue order from scratch, set-based (one pass over its parts, whatever the
 * order): the stats of the learning orders, then every part's queue_priority that changed. Returns
 * how many parts moved. Called on switching the order, by the worker after a training, and after
 * approvals.
 */
create function private.refresh_queue_priorities(p_dataset_id uuid) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  v_order text;
  v_moved integer;
  v_sample extensions.cube[];
  v_centers extensions.cube[];
  v_next extensions.cube;
  v_far double precision;
  v_n integer;
  v_k integer;
begin
  select d.queue_order into v_order from public.datasets d where d.id = p_dataset_id;
  if v_order is null then
    return 0;
  end if;
  if v_order not in ('most_novel', 'rare_classes') then
    delete from private.queue_stats where dataset_id = p_dataset_id;
    update public.parts p
    set queue_priority = coalesce(private.part_queue_priority(p.dataset_id, p.prelabel_confidence), 0)
    where p.dataset_id = p_dataset_id
      and p.queue_priority is distinct from coalesce(private.part_queue_priority(p.dataset_id, p.prelabel_confidence), 0);
    get diagnostics v_moved = row_count;
    return v_moved;
  end if;

  if v_order = 'most_novel' then
    -- cluster centres, farthest first (deterministic): from a sample of up to 1000 fingerprints, the
    -- first by hash of its part id, then each time the one farthest from the centres so far; as many
    -- as the square root of the parts (at most private.queue_clusters()), so clusters hold several
    select coalesce(array_agg(s.c order by s.h), '{}') into v_sample
    from (
      select extensions.cube(g.shape_descriptor::float8[]) as c, md5(p.id::text) as h
      from public.parts p join public.part_geometry g on g.id = p.geometry_id
      where p.dataset_id = p_dataset_id and g.shape_descriptor is not null
      order by 2 limit 1000
    ) s;
    select count(*) into v_n from public.parts p join public.part_geometry g on g.id = p.geometry_id
    where p.dataset_id = p_dataset_id and g.shape_descriptor is not null;
    v_k := least(private.queue_clusters(), greatest(1, floor(sqrt(v_n))::integer));
    v_centers := case when cardinality(v_sample) > 0 then array[v_sample[1]] else '{}' end;
    while cardinality(v_centers) < v_k loop
      select x.c, x.d into v_next, v_far
      from (
        select u.c, (select min(u.c operator(extensions.<->) ce.c) from unnest(v_centers) ce(c)) as d, u.i
        from unnest(v_sample) with ordinality u(c, i)
      ) x
      order by x.d desc, x.i limit 1;
      exit when v_far is null or v_far = 0;
      v_centers := v_centers || v_next;
    end loop;

    with nearest as (
      select p.id, p.status,
             (select u.k from unnest(v_centers) with ordinality u(c, k)
              order by u.c operator(extensions.<->) extensions.cube(g.shape_descriptor::float8[]) limit 1) as k
      from public.parts p join public.part_geometry g on g.id = p.geometry_id
      where p.dataset_id = p_dataset_id and g.shape_descriptor is not null
    ), clusters as (
      select n.k, (count(*) filter (where n.status = 'approved'))::real / count(*)::real as share
      from nearest n group by n.k
    ), stats as (
      insert into private.queue_stats as q (dataset_id, queue_order, centers, cluster_share, class_share, approved,
                                            refreshed_at)
      select p_dataset_id, v_order, v_centers,
             coalesce((select array_agg(coalesce(cl.share, 0) order by u.k)
                       from unnest(v_centers) with ordinality u(c, k) left join clusters cl on cl.k = u.k), '{}'),
             '{}',
             (select count(*) from public.parts p where p.dataset_id = p_dataset_id and p.status = 'approved'),
             now()
      on conflict (dataset_id) do update
        set queue_order = excluded.queue_order, centers = excluded.centers, cluster_share = excluded.cluster_share,
            class_share = excluded.class_share, approved = excluded.approved, refreshed_at = excluded.refreshed_at
      returning 1
    )
    -- (the insert above runs to completion whether or not this reads it)
    update public.parts p set queue_priority = coalesce(cl.share, 0)
    from nearest n left join clusters cl on cl.k = n.k
    where p.id = n.id and n.status <> 'approved'
      and p.queue_priority is distinct from coalesce(cl.share, 0);
    get diagnostics v_moved = row_count;
    -- parts without a fingerprint yet stand first, as parts without a pre-label do
    update public.parts p set queue_priority = 0
    where p.dataset_id = p_dataset_id and p.status <> 'approved' and p.queue_priority <> 0
      and not exists (select 1 from public.part_geometry g where g.id = p.geometry_id and g.shape_descriptor is not null);
    return v_moved;
  end if;

  -- rare_classes: each class's share of the approved faces (latest revisions, in the current schema)
  with approved_faces as (
    select l.label, count(*) as n
    from public.parts p
    join public.datasets d on d.id = p.dataset_id
    join lateral (
      select r.document, r.label_schema_id from public.annotation_revisions r
      where r.part_id = p.id order by r.revision_no desc limit 1
    ) r on true
    cross join lateral jsonb_array_elements_text(
      case when jsonb_typeof(r.document -> 'labels') = 'array'
           then private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id)
           else '[]'::jsonb end) l(label)
    where p.dataset_id = p_dataset_id and p.status = 'approved'
    group by l.label
  ), shares as (
    select coalesce(jsonb_object_agg(a.label, a.n::real / t.total), '{}'::jsonb) as share
    from approved_faces a cross join (select greatest(sum(n), 1) as total from approved_faces) t
  )
  insert into private.queue_stats as q (dataset_id, queue_order, class_share, approved, refreshed_at)
  select p_dataset_id, v_order, s.share,
         (select count(*) from public.parts p where p.dataset_id = p_dataset_id and p.status = 'approved'), now()
  from shares s
  on conflict (dataset_id) do update
    set queue_order = excluded.queue_order, centers = '{}', cluster_share = '{}', class_share = excluded.class_share,
        approved = excluded.approved, refreshed_at = excluded.refreshed_at;

  with scored as (
    select p.id,
           coalesce((select min(coalesce((s.class_share ->> l.label)::real, 0))
                     from jsonb_array_elements_text(private.prelabel_labels(p.id)) l(label)), 0) as priority
    from public.parts p cross join private.queue_stats s
    where p.dataset_id = p_dataset_id and p.status <> 'approved' and s.dataset_id = p_dataset_id
  )
  update public.parts p set queue_priority = sc.priority
  from scored sc
  where p.id = sc.id and p.queue_priority is distinct from sc.priority;
  get diagnostics v_moved = row_count;
  return v_moved;
end
$$;
revoke all on function private.refresh_queue_priorities(uuid) from public, anon, authenticated;
grant execute on function private.refresh_queue_priorities(uuid) to service_role;

-- The per-row step of the parts' BEFORE triggers (20261205000100_one_rule_per_decision.sql): under a
-- learning order, a part is placed when its pre-label or its geometry arrives; under the others, as before.
create or replace function private.parts_queue_priority(old public.parts, new public.parts) returns public.parts
language plpgsql set search_path = '' as $$
declare
  v_order text;
begin
  if old.id is null or new.prelabel_confidence is distinct from old.prelabel_confidence
     or new.dataset_id is distinct from old.dataset_id or new.geometry_id is distinct from old.geometry_id then
    select d.queue_order into v_order from public.datasets d where d.id = new.dataset_id;
    if v_order in ('most_novel', 'rare_classes') then
      new.queue_priority := private.part_learning_priority(new.id, new.dataset_id, new.geometry_id, v_order);
    elsif old.id is null or new.prelabel_confidence is distinct from old.prelabel_confidence
          or new.dataset_id is distinct from old.dataset_id then
      new.queue_priority := coalesce(private.part_queue_priority(new.dataset_id, new.prelabel_confidence), 0);
    end if;
  end if;
  return new;
end
$$;

-- Switching a dataset's order works the whole queue out again (the learning orders' stats included).
create or replace function private.datasets_queue_order() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.refresh_queue_priorities(new.id);
  return null;
end
$$;

-- After an approval: the retraining rule (20261206013000), and under a learning order the queue is
-- worked out again every max(10, approved/10) approvals. A step of the parts' AFTER UPDATE dispatcher
-- (one trigger per timing and event, 20261205000100_one_rule_per_decision.sql), replacing the trigger
-- of its own that 20261206013000 added; it acts for the system (definer).
drop trigger parts_retrain_after_approval on public.parts;
drop function private.parts_retrain_after_approval();

create function private.parts_after_approval(old public.parts, new public.parts) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_after integer;
  v_learning boolean;
  v_order text;
  v_approved integer;
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_after_approval runs in the parts triggers only' using errcode = '42501';
  end if;
  select d.retrain_after, d.learned_prelabel, d.queue_order into v_after, v_learning, v_order
  from public.datasets d where d.id = new.dataset_id;
  if v_learning and not private.training_pending(new.dataset_id)
     and private.approvals_since_training(new.dataset_id) >= v_after then
    begin
      perform private.queue_training(new.dataset_id, 'auto', null);
    exception when sqlstate 'FC003' then
      -- another approval queued it meanwhile: one training is enough
      null;
    end;
  end if;
  if v_order in ('most_novel', 'rare_classes') then
    select count(*) into v_approved from public.parts p where p.dataset_id = new.dataset_id and p.status = 'approved';
    if v_approved - coalesce((select s.approved from private.queue_stats s where s.dataset_id = new.dataset_id), 0)
       >= greatest(10, v_approved / 10) then
      perform private.refresh_queue_priorities(new.dataset_id);
    end if;
  end if;
end
$$;
revoke all on function private.parts_after_approval(public.parts, public.parts) from public, anon;
grant execute on function private.parts_after_approval(public.parts, public.parts) to authenticated, service_role;

create or replace function private.parts_after_update() returns trigger
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
  -- 4. the catalog's row
  if (old.name, old.status, old.split, old.tags, old.status_changed_at, old.dataset_id, old.geometry_id)
     is distinct from (new.name, new.status, new.split, new.tags, new.status_changed_at, new.dataset_id, new.geometry_id)
  then
    perform private.parts_catalog(new);
  end if;
  -- 5. an approval: retraining and the learning queue orders (20261206013500)
  if new.status = 'approved' and old.status is distinct from 'approved' then
    perform private.parts_after_approval(old, new);
  end if;
  return null;
end
$$;
