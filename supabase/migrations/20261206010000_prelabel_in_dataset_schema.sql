-- Face checks compare a person's labels with the pre-label. A pre-label is written in the classes of
-- the dataset's label schema version at that moment; when a mapping later moves the dataset to a newer
-- version (renames, merges, splits), the person labels in the new classes, so the pre-label is read
-- through the mappings from its version to the dataset's current one (a split gives its first class,
-- as applying the mapping does). Versions that no chain of mappings joins are compared as they are.

-- The labels (a JSON array of class keys or nulls) carried from schema version p_from to p_to.
create function private.labels_in_schema(p_labels jsonb, p_from uuid, p_to uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_maps jsonb[];
  v_map jsonb;
  v_out jsonb := p_labels;
begin
  if p_from is null or p_to is null or p_from = p_to or jsonb_typeof(p_labels) is distinct from 'array' then
    return p_labels;
  end if;
  -- from p_to back along the versions' mappings until p_from (at most one mapping leads to a version)
  with recursive chain as (
    select m.from_schema_id, m.mapping, 1 as depth
    from public.label_schema_mappings m where m.to_schema_id = p_to
    union all
    select m.from_schema_id, m.mapping, c.depth + 1
    from chain c join public.label_schema_mappings m on m.to_schema_id = c.from_schema_id
    where c.from_schema_id <> p_from and c.depth < 1000
  )
  select array_agg(c.mapping order by c.depth desc) into v_maps
  from chain c
  where exists (select 1 from chain e where e.from_schema_id = p_from)
    and c.depth <= (select min(e.depth) from chain e where e.from_schema_id = p_from);
  if v_maps is null then
    return p_labels;
  end if;
  foreach v_map in array v_maps loop
    select coalesce(jsonb_agg(case
             when jsonb_typeof(l.v) = 'string' and v_map ? (l.v #>> '{}') then v_map -> (l.v #>> '{}') -> 0
             else l.v end order by l.i), '[]'::jsonb)
      into v_out
    from jsonb_array_elements(v_out) with ordinality l(v, i);
  end loop;
  return v_out;
end
$$;
revoke all on function private.labels_in_schema(jsonb, uuid, uuid) from public, anon, authenticated;

create or replace function private.prelabel_on(p_part_id uuid, p_face_signature text)
returns table (labels jsonb, confidence jsonb)
language sql stable set search_path = '' as $$
  select private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id),
         r.document -> 'prelabel' -> 'confidence'
  from public.annotation_revisions r
  join public.parts p on p.id = r.part_id
  left join public.datasets d on d.id = p.dataset_id
  where r.part_id = p_part_id and r.source = 'model' and r.face_signature = p_face_signature
    and jsonb_typeof(r.document -> 'labels') = 'array'
  order by r.revision_no desc
  limit 1
$$;
