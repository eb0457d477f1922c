-- Last activity counts labelling time too: the workbench reports active time (public.work_time) while
-- someone labels, long before anything they do is audited (a submission).
create or replace function public.member_activity(p_workspace_id uuid)
returns table (user_id uuid, last_active_at timestamptz, last_seen_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select m.user_id,
         greatest(
           (select a.created_at from public.audit_events a
            where a.actor_id = m.user_id and a.workspace_id = m.workspace_id
            order by a.created_at desc limit 1),
           (select max(k.last_used_at) from public.api_keys k
            where k.user_id = m.user_id and k.workspace_id = m.workspace_id),
           (select max(t.updated_at) from public.work_time t
            where t.workspace_id = m.workspace_id and t.user_id = m.user_id)),
         greatest(u.last_sign_in_at, (select max(s.updated_at) from auth.sessions s where s.user_id = m.user_id))
  from public.workspace_members m join auth.users u on u.id = m.user_id
  where m.workspace_id = p_workspace_id and private.has_role(p_workspace_id, '{admin}')
$$;
