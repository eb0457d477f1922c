-- Derived geometry: the face-indexed mesh and faces document of a blob, content-addressed with
-- provenance (which input, which tessellator version, which parameters). Written by the worker only.

create table public.part_geometry (
  id uuid primary key default gen_random_uuid(),
  blob_sha256 text not null references public.blobs (sha256) on delete cascade,
  tessellator_version text not null,
  params_hash text not null,
  params jsonb not null,
  mesh_key text not null,
  faces_key text not null,
  face_count integer not null check (face_count > 0),
  triangle_count integer not null check (triangle_count >= 0),
  face_signature text not null,
  area double precision not null,
  bbox jsonb not null,
  duration_ms integer,
  created_at timestamptz not null default now(),
  unique (blob_sha256, tessellator_version, params_hash)
);
alter table public.part_geometry enable row level security;

create policy "Members see the geometry of their parts" on public.part_geometry
  for select to authenticated
  using (exists (select 1 from public.parts p where p.blob_sha256 = part_geometry.blob_sha256));
-- no insert/update/delete policies: the worker (service role) writes derived geometry

-- Which geometry a part shows (the newest tessellation of its blob).
alter table public.parts add column geometry_id uuid references public.part_geometry (id) on delete set null;
