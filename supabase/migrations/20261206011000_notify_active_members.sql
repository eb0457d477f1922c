-- A deactivated member is told nothing more (a mention, a review of their work, a reply): notifications
-- go to active members only, as every other access rule counts active memberships only.
create or replace function private.notify(p_workspace_id uuid, p_user_id uuid, p_kind text, p_part_id uuid,
                                          p_comment_id uuid, p_summary text)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_id bigint;
begin
  if p_user_id is null or p_user_id is not distinct from v_uid or not exists (
    select 1 from public.workspace_members m
    where m.workspace_id = p_workspace_id and m.user_id = p_user_id and m.deactivated_at is null
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
