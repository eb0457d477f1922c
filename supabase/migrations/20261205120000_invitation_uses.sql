-- Who used each invitation link (issue 17, item 13). accept_invitation counted uses (use_count) but
-- did not keep who joined with a link: each use is now a row, written in the same transaction as the
-- membership it grants, and shown to the workspace's admins beside the link.

create table public.invitation_uses (
  id uuid primary key default gen_random_uuid(),
  invitation_id uuid not null references public.invitations (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- the person who joined; kept when they leave the workspace, cleared when their account goes
  user_id uuid references auth.users (id) on delete set null,
  used_at timestamptz not null default now()
);
alter table public.invitation_uses enable row level security;
create index invitation_uses_invitation_id_idx on public.invitation_uses (invitation_id, used_at);
create index invitation_uses_workspace_id_idx on public.invitation_uses (workspace_id);
create index invitation_uses_user_id_idx on public.invitation_uses (user_id);

-- Read by the admins who see the links; written by accept_invitation only (no insert, update or
-- delete policy: a use is a record of what happened).
create policy "Admins see who used their invitations" on public.invitation_uses
  for select to authenticated using (private.has_role(workspace_id, '{admin}'));

-- The uses made before this migration: each acceptance raised use_count, which the audit log recorded
-- as an update of the invitation by the person who joined.
insert into public.invitation_uses (invitation_id, workspace_id, user_id, used_at)
select i.id, i.workspace_id, u.id, e.created_at
from public.audit_events e
join public.invitations i on i.id::text = e.target_id
left join auth.users u on u.id = e.actor_id
where e.target_table = 'invitations' and e.action = 'invitation.updated'
  and e.data -> 'changed' ? 'use_count';

-- As in 20261204000100_tenancy_and_abuse.sql, and the use recorded with the membership.
create or replace function public.accept_invitation(p_token_hash text)
returns table (workspace_id uuid, role public.member_role, already_member boolean)
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_email text := lower((select auth.email()));
  v_inv public.invitations;
  v_existing public.member_role;
begin
  if v_uid is null then
    raise exception 'sign in to accept an invitation' using errcode = '42501';
  end if;
  if private.is_scoped() then
    raise exception 'invitations are accepted by a signed-in person, not by a workspace''s API key'
      using errcode = '42501';
  end if;
  select * into v_inv from public.invitations i where i.token_hash = p_token_hash for update;
  if not found or v_inv.revoked_at is not null or v_inv.expires_at <= now() or v_inv.use_count >= v_inv.max_uses then
    raise exception 'this invitation link is not valid any more (revoked, expired or used)'
      using errcode = 'FC007';
  end if;
  if v_inv.email is not null and v_inv.email is distinct from v_email then
    raise exception 'this invitation is for another email address' using errcode = '42501';
  end if;
  select m.role into v_existing from public.workspace_members m
  where m.workspace_id = v_inv.workspace_id and m.user_id = v_uid;
  if found then
    return query select v_inv.workspace_id, v_existing, true;
    return;
  end if;
  insert into public.workspace_members (workspace_id, user_id, role, invited_by)
  values (v_inv.workspace_id, v_uid, v_inv.role, v_inv.created_by);
  update public.invitations set use_count = use_count + 1 where id = v_inv.id;
  insert into public.invitation_uses (invitation_id, workspace_id, user_id) values (v_inv.id, v_inv.workspace_id, v_uid);
  return query select v_inv.workspace_id, v_inv.role, false;
end
$$;
