-- Deployed with Trigger.dev, queued jobs are handed over by a dispatcher (the web app right after it
-- queues them, and a scheduled task every minute as a safety net). `dispatched_at` records the
-- hand-over so that a job is triggered once; users cannot write it (jobs_guard lets them cancel only).
alter table public.jobs add column dispatched_at timestamptz;
create index jobs_undispatched_idx on public.jobs (created_at) where status = 'queued' and dispatched_at is null;
