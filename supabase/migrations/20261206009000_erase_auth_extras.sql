-- Erasure (public.erase_person) on Supabase: GoTrue keeps more about a person than the embedded
-- accounts do. When an account is marked erased (raw_app_meta_data.facet_erased), whatever of these
-- exists goes too: its phone number, one-time tokens (which carry the address), MFA factors (a phone),
-- PKCE flow state, and GoTrue's own audit log entries about it (actor_id, actor_username = the email).
-- Each table is looked up first: the embedded bootstrap has none of them.
create function private.erase_auth_extras() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_email text := lower(old.email::text);
begin
  new := jsonb_populate_record(new, jsonb_build_object('phone', null));
  if to_regclass('auth.one_time_tokens') is not null then
    execute 'delete from auth.one_time_tokens where user_id = $1' using new.id;
  end if;
  if to_regclass('auth.mfa_factors') is not null then
    execute 'delete from auth.mfa_factors where user_id = $1' using new.id;
  end if;
  if to_regclass('auth.flow_state') is not null then
    execute 'delete from auth.flow_state where user_id = $1' using new.id;
  end if;
  if to_regclass('auth.audit_log_entries') is not null then
    execute $q$delete from auth.audit_log_entries
               where payload ->> 'actor_id' = $1::text
                  or ($2 is not null and lower(payload ->> 'actor_username') = $2)
                  or payload -> 'traits' ->> 'user_id' = $1::text
                  or ($2 is not null and lower(payload -> 'traits' ->> 'user_email') = $2)$q$
      using new.id, v_email;
  end if;
  return new;
end
$$;
revoke all on function private.erase_auth_extras() from public;

create trigger users_erase_auth_extras before update on auth.users
for each row
when (new.raw_app_meta_data ? 'facet_erased' and not coalesce(old.raw_app_meta_data ? 'facet_erased', false))
execute function private.erase_auth_extras();
