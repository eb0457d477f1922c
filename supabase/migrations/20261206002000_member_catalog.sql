-- The catalog as a member reads it, with its indexes usable.
--
-- Under row-level security PostgreSQL evaluates a query's own conditions after the policy's unless
-- their operators are leakproof, and an index condition is evaluated first: so through
-- public.part_catalog's policy the name search (ILIKE, trigram index) and the class, tag and surface
-- filters (@>, GIN indexes) scan every row of the workspace. This view states the same rule (the
-- rows of the workspaces the caller is a member of, within the API key's scope) as its own
-- condition, read with its owner's rights, so that the planner may combine it with the filters in
-- any order and use every index. It lives in `private`, which the Data API does not expose: the
-- only conditions ever put on it are the catalog's, composed by packages/db (parameters, and
-- operators that raise no error on a row's values), so no row of another workspace can show
-- through an error or a side effect before the membership condition has removed it.
create view private.member_catalog as
  select c.*
  from public.part_catalog c
  where c.workspace_id in (select private.member_workspace_ids());
comment on view private.member_catalog is
  'public.part_catalog rows of the caller''s workspaces (as its policy), as a view whose condition the planner may reorder: the catalog''s filters use their indexes. Read by packages/db/src/curation/catalog.ts only.';
revoke all on private.member_catalog from public, anon, authenticated, service_role;
grant select on private.member_catalog to authenticated;
