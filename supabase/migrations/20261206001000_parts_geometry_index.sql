-- Parts by their geometry: "similar parts" walks the fingerprint index nearest first and joins each
-- geometry to its parts (and near-duplicate grouping for splits does the same); without this index
-- every step of the walk would read the parts table.
create index parts_geometry_idx on public.parts (geometry_id) where geometry_id is not null;
