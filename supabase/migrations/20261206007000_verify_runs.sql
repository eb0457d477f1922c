-- `facet verify` and the weekly verify job: what each run of the storage integrity check found.
-- The instance-wide details (object keys, hashes, which snapshot of which workspace drifted) are for
-- the operator: the table is private and only the service role reads or writes it. A workspace's
-- admins read a summary of the last run (when, what was checked, how much drifted) through
-- public.last_verify_run, which names no object, hash or workspace.
create table private.verify_runs (
  id uuid primary key default gen_random_uuid(),
  -- who ran it: the operator's `facet verify` or the scheduled job
  trigger text not null check (trigger in ('cli', 'schedule')),
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  -- null: every blob and artefact was read; otherwise at most this many of each, chosen at random
  sample integer check (sample is null or sample > 0),
  ok boolean not null,
  blobs_checked integer not null check (blobs_checked >= 0),
  blobs_mismatched integer not null check (blobs_mismatched >= 0),
  blobs_missing integer not null check (blobs_missing >= 0),
  artefacts_checked integer not null check (artefacts_checked >= 0),
  artefacts_mismatched integer not null check (artefacts_mismatched >= 0),
  artefacts_missing integer not null check (artefacts_missing >= 0),
  snapshots_checked integer not null check (snapshots_checked >= 0),
  snapshots_drifted integer not null check (snapshots_drifted >= 0),
  duration_ms integer not null check (duration_ms >= 0),
  -- the full report (workers/src/ops/verify.ts VerifyReport): keys, expected and actual hashes, problems
  report jsonb not null,
  check (ok = (blobs_mismatched + blobs_missing + artefacts_mismatched + artefacts_missing + snapshots_drifted = 0))
);
create index verify_runs_finished_idx on private.verify_runs (finished_at desc);
alter table private.verify_runs enable row level security;
revoke all on private.verify_runs from public, anon, authenticated;
-- no policies: only the service role (which bypasses row security) reads and records runs
grant select, insert, delete on private.verify_runs to service_role;

-- The last run, as a workspace's admins may see it: no keys, hashes or workspaces, only counts.
-- Nothing (no row) for anyone else, and when no run was ever recorded.
create function public.last_verify_run(ws uuid)
returns table (
  finished_at timestamptz, trigger text, sample integer, ok boolean,
  blobs_checked integer, artefacts_checked integer, snapshots_checked integer, drift integer
)
language sql stable security definer set search_path = '' as $$
  select r.finished_at, r.trigger, r.sample, r.ok, r.blobs_checked, r.artefacts_checked, r.snapshots_checked,
         r.blobs_mismatched + r.blobs_missing + r.artefacts_mismatched + r.artefacts_missing + r.snapshots_drifted
  from private.verify_runs r
  where private.has_role(ws, '{admin}')
  order by r.finished_at desc
  limit 1
$$;
revoke all on function public.last_verify_run(uuid) from public, anon;
grant execute on function public.last_verify_run(uuid) to authenticated, service_role;
