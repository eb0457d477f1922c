-- A dataset's parts by name: the API's keyset pages (dataset, name, id) and the lookup of a part
-- by its name (`facet import-labels` asks once per label file) are index range scans.
create index parts_dataset_name_idx on public.parts (dataset_id, name, id);
