-- supabase/schema.sql: the database schema in one file, for reading. GENERATED: do not edit.
--
-- Rendered from the catalogs of a freshly migrated database by packages/db/src/schema-dump.ts.
-- Regenerate with `npm run db:schema` (an embedded PostgreSQL in a temporary folder, the bootstrap and
-- every migration, then this file); packages/db/src/schema.db.test.ts fails while it is out of date.
-- The migrations in supabase/migrations are the source: deployments apply them (append-only, tracked by
-- version, never half-applied) and this file is what they add up to.
-- Last migration: 20261206020000_review_queue_index. PostgreSQL 18.
--
-- Per schema: types; tables by name, each with its constraints, indexes, row-level security, policies,
-- triggers and grants; views; functions by name (each once, with its grants). Without GRANT lines an
-- object has PostgreSQL's defaults: a table its owner only, a function everyone (PUBLIC).
--
-- Contents
--   public: what users reach, under row-level security: the data model and the functions of the API
--     tables: annotation_revisions, api_keys, audit_events, blobs, comments, datasets,
--     independent_annotations, invitation_uses, invitations, jobs, label_schema_mapped_parts,
--     label_schema_mappings, label_schemas, notifications, part_catalog, part_geometry, part_presence,
--     part_reviews, parts, prelabel_model_revisions, prelabel_models, profiles, saved_filters, share_links,
--     snapshot_exports, snapshot_parts, snapshots, work_time, workspace_blobs, workspace_members, workspaces
--     19 functions
--   private: helpers of the policies, trigger functions and their steps, internal tables
--     tables: erasure_marks, event_streams, operation_runs, part_status_transitions, queue_stats,
--     rate_limits, verify_runs, worker_heartbeats; views: member_catalog
--     105 functions
--   auth: as supabase/bootstrap creates it on a plain PostgreSQL (Supabase's own has more), with our triggers
--     tables: refresh_tokens, sessions, users
--     4 functions

-- ====================================================================================================
-- Schema public: what users reach, under row-level security: the data model and the functions of the API
-- ====================================================================================================

CREATE SCHEMA public;
GRANT USAGE ON SCHEMA public TO PUBLIC, anon, authenticated, service_role;
COMMENT ON SCHEMA public IS 'standard public schema';

CREATE TYPE public.face_check AS ENUM ('changed', 'confirmed', 'seen', 'unseen');
CREATE TYPE public.job_status AS ENUM ('queued', 'running', 'completed', 'failed', 'canceled');
CREATE TYPE public.member_role AS ENUM ('admin', 'engineer', 'annotator', 'ml_engineer', 'viewer');
CREATE TYPE public.part_status AS ENUM ('uploaded', 'processing', 'failed', 'unannotated', 'pre_labeled', 'in_progress', 'in_review', 'approved');

CREATE TABLE public.annotation_revisions (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  part_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  blob_sha256 text NOT NULL,
  revision_no integer NOT NULL,
  parent_id uuid,
  author_id uuid,
  label_schema_id uuid,
  schema_version integer DEFAULT 1 NOT NULL,
  face_signature text,
  document jsonb NOT NULL,
  model_assisted boolean DEFAULT false NOT NULL,
  source text DEFAULT 'human'::text NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  face_checks public.face_check[],
  CONSTRAINT annotation_revisions_author_id_fkey FOREIGN KEY (author_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT annotation_revisions_blob_sha256_fkey FOREIGN KEY (blob_sha256) REFERENCES public.blobs(sha256) ON DELETE RESTRICT,
  CONSTRAINT annotation_revisions_document_check CHECK (jsonb_typeof(document) = 'object'::text),
  CONSTRAINT annotation_revisions_face_checks_check CHECK (face_checks IS NULL OR jsonb_typeof(document -> 'labels'::text) = 'array'::text AND cardinality(face_checks) = jsonb_array_length(document -> 'labels'::text) AND array_position(face_checks, NULL::public.face_check) IS NULL),
  CONSTRAINT annotation_revisions_label_schema_id_fkey FOREIGN KEY (label_schema_id) REFERENCES public.label_schemas(id) ON DELETE RESTRICT,
  CONSTRAINT annotation_revisions_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.annotation_revisions(id) ON DELETE CASCADE,
  CONSTRAINT annotation_revisions_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT annotation_revisions_part_id_revision_no_key UNIQUE (part_id, revision_no),
  CONSTRAINT annotation_revisions_pkey PRIMARY KEY (id),
  CONSTRAINT annotation_revisions_revision_no_check CHECK (revision_no > 0),
  CONSTRAINT annotation_revisions_source_check CHECK (source = ANY (ARRAY['human'::text, 'model'::text, 'import'::text, 'consensus'::text])),
  CONSTRAINT annotation_revisions_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX annotation_revisions_blob_idx ON public.annotation_revisions USING btree (blob_sha256);
CREATE INDEX annotation_revisions_workspace_idx ON public.annotation_revisions USING btree (workspace_id);
ALTER TABLE public.annotation_revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "A share link shows its part's labels" ON public.annotation_revisions
  FOR SELECT TO anon
  USING (part_id = private.share_part_id());
CREATE POLICY "Members see annotation revisions" ON public.annotation_revisions
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE POLICY "The holding annotator, engineers and admins save revisions" ON public.annotation_revisions
  FOR INSERT TO authenticated
  WITH CHECK (author_id = (( SELECT auth.uid() AS uid)) AND (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]) OR (EXISTS ( SELECT 1
   FROM public.parts p
  WHERE p.id = annotation_revisions.part_id AND p.status = 'in_progress'::public.part_status AND p.annotator_id = (( SELECT auth.uid() AS uid))))));
CREATE TRIGGER annotation_revisions_append_only BEFORE DELETE OR UPDATE ON public.annotation_revisions FOR EACH ROW EXECUTE FUNCTION private.annotation_revisions_append_only();
CREATE TRIGGER annotation_revisions_audit AFTER INSERT ON public.annotation_revisions FOR EACH ROW EXECUTE FUNCTION private.annotation_revisions_audit();
CREATE TRIGGER annotation_revisions_defaults BEFORE INSERT ON public.annotation_revisions FOR EACH ROW EXECUTE FUNCTION private.annotation_revision_defaults();
CREATE TRIGGER annotation_revisions_face_checks BEFORE INSERT ON public.annotation_revisions FOR EACH ROW EXECUTE FUNCTION private.annotation_revision_face_checks();
CREATE TRIGGER annotation_revisions_model_source BEFORE INSERT ON public.annotation_revisions FOR EACH ROW EXECUTE FUNCTION private.annotation_revisions_model_source();
CREATE TRIGGER annotation_revisions_notify AFTER INSERT ON public.annotation_revisions FOR EACH ROW EXECUTE FUNCTION private.notify_revision();
CREATE TRIGGER annotation_revisions_part_catalog AFTER INSERT ON public.annotation_revisions FOR EACH ROW WHEN (jsonb_typeof(new.document -> 'labels'::text) = 'array'::text) EXECUTE FUNCTION private.part_catalog_of_revision();
GRANT ALL ON TABLE public.annotation_revisions TO anon, authenticated, service_role;
COMMENT ON COLUMN public.annotation_revisions.revision_no IS 'Set by private.annotation_revision_defaults (the part''s max + 1), whatever the insert says.';
COMMENT ON COLUMN public.annotation_revisions.face_checks IS 'Per face (0-based face i at [i+1]): changed, confirmed, seen or unseen against the part''s pre-label on the same face numbering. Set by private.annotation_revision_face_checks on human revisions (changed is computed there, whatever the insert says); null without a pre-label and on model, import and consensus revisions.';

CREATE TABLE public.api_keys (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid,
  user_id uuid NOT NULL,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  last_used_at timestamp with time zone,
  expires_at timestamp with time zone,
  revoked_at timestamp with time zone,
  parent_id uuid,
  CONSTRAINT api_keys_key_hash_check CHECK (key_hash ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
  CONSTRAINT api_keys_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 100 AND name !~ '[[:cntrl:]]'::text),
  CONSTRAINT api_keys_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.api_keys(id) ON DELETE CASCADE,
  CONSTRAINT api_keys_pkey PRIMARY KEY (id),
  CONSTRAINT api_keys_prefix_check CHECK (prefix ~ '^[A-Za-z0-9_-]{8}$'::text),
  CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read'::text, 'ingest'::text, 'label'::text, 'review'::text, 'curate'::text, 'admin'::text]),
  CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT api_keys_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX api_keys_parent_idx ON public.api_keys USING btree (parent_id) WHERE (parent_id IS NOT NULL);
CREATE INDEX api_keys_user_idx ON public.api_keys USING btree (user_id);
CREATE INDEX api_keys_workspace_idx ON public.api_keys USING btree (workspace_id) WHERE (workspace_id IS NOT NULL);
ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Owners and workspace admins delete keys" ON public.api_keys
  FOR DELETE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND COALESCE(private.in_scope(workspace_id), false) OR private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Owners and workspace admins revoke keys" ON public.api_keys
  FOR UPDATE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND COALESCE(private.in_scope(workspace_id), false) OR private.has_role(workspace_id, '{admin}'::public.member_role[]))
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND COALESCE(private.in_scope(workspace_id), false) OR private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Owners and workspace admins see keys" ON public.api_keys
  FOR SELECT TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND COALESCE(private.in_scope(workspace_id), false) OR private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "People create their own keys; workspace keys need an admin" ON public.api_keys
  FOR INSERT TO authenticated
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND revoked_at IS NULL AND last_used_at IS NULL AND (workspace_id IS NULL OR private.has_role(workspace_id, '{admin}'::public.member_role[])));
CREATE TRIGGER api_keys_audit AFTER INSERT OR DELETE OR UPDATE OF revoked_at ON public.api_keys FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('api_key', 'key_hash');
CREATE TRIGGER api_keys_guard BEFORE UPDATE ON public.api_keys FOR EACH ROW EXECUTE FUNCTION private.api_keys_guard();
CREATE TRIGGER api_keys_mint_guard BEFORE INSERT ON public.api_keys FOR EACH ROW EXECUTE FUNCTION private.api_keys_mint_guard();
CREATE TRIGGER api_keys_revoke_children AFTER UPDATE OF revoked_at ON public.api_keys FOR EACH ROW WHEN (new.revoked_at IS NOT NULL AND old.revoked_at IS NULL) EXECUTE FUNCTION private.api_keys_revoke_children();
GRANT ALL ON TABLE public.api_keys TO anon, authenticated, service_role;

CREATE TABLE public.audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  workspace_id uuid,
  actor_id uuid,
  actor_kind text NOT NULL,
  action text NOT NULL,
  target_table text,
  target_id text,
  data jsonb DEFAULT '{}'::jsonb NOT NULL,
  ip inet,
  user_agent text,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT audit_events_action_check CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'::text),
  CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind = ANY (ARRAY['user'::text, 'api_key'::text, 'service'::text, 'system'::text])),
  CONSTRAINT audit_events_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_events_actor_idx ON public.audit_events USING btree (actor_id, workspace_id, created_at DESC) WHERE (actor_id IS NOT NULL);
CREATE INDEX audit_events_part_idx ON public.audit_events USING btree (((data ->> 'part_id'::text))) WHERE (data ? 'part_id'::text);
CREATE INDEX audit_events_target_idx ON public.audit_events USING btree (target_table, target_id);
CREATE INDEX audit_events_workspace_created_idx ON public.audit_events USING btree (workspace_id, created_at DESC);
ALTER TABLE public.audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins read the audit log of their workspace" ON public.audit_events
  FOR SELECT TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE TRIGGER audit_events_append_only BEFORE DELETE OR UPDATE ON public.audit_events FOR EACH ROW EXECUTE FUNCTION private.audit_events_guard();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON public.audit_events FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_change();
GRANT ALL ON TABLE public.audit_events TO anon, authenticated, service_role;

CREATE TABLE public.blobs (
  sha256 text NOT NULL,
  size bigint NOT NULL,
  media_type text DEFAULT 'model/step'::text NOT NULL,
  storage_key text NOT NULL,
  verified_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT blobs_pkey PRIMARY KEY (sha256),
  CONSTRAINT blobs_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT blobs_size_check CHECK (size > 0)
);
ALTER TABLE public.blobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see blobs their workspaces use" ON public.blobs
  FOR SELECT TO authenticated
  USING ((EXISTS ( SELECT 1
   FROM public.parts p
  WHERE p.blob_sha256 = blobs.sha256)));
GRANT ALL ON TABLE public.blobs TO anon, authenticated, service_role;

CREATE TABLE public.comments (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  part_id uuid NOT NULL,
  parent_id uuid,
  kind text DEFAULT 'comment'::text NOT NULL,
  review_id uuid,
  body text NOT NULL,
  face_index integer,
  point double precision[],
  face_signature text,
  revision_no integer,
  author_id uuid,
  author_name text NOT NULL,
  share_link_id uuid,
  mentions uuid[] DEFAULT '{}'::uuid[] NOT NULL,
  resolved_at timestamp with time zone,
  resolved_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT comments_author_name_check CHECK (char_length(author_name) >= 1 AND char_length(author_name) <= 120),
  CONSTRAINT comments_body_check CHECK (char_length(btrim(body)) >= 1 AND char_length(btrim(body)) <= 5000),
  CONSTRAINT comments_check CHECK (kind = 'comment'::text OR review_id IS NOT NULL),
  CONSTRAINT comments_check1 CHECK (parent_id IS NULL OR face_index IS NULL AND point IS NULL AND kind = 'comment'::text),
  CONSTRAINT comments_face_index_check CHECK (face_index >= 0),
  CONSTRAINT comments_kind_check CHECK (kind = ANY (ARRAY['comment'::text, 'review_note'::text])),
  CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.comments(id) ON DELETE CASCADE,
  CONSTRAINT comments_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT comments_pkey PRIMARY KEY (id),
  CONSTRAINT comments_point_check CHECK (point IS NULL OR array_ndims(point) = 1 AND array_length(point, 1) = 3 AND abs(point[1]) < '1000000000'::numeric::double precision AND abs(point[2]) < '1000000000'::numeric::double precision AND abs(point[3]) < '1000000000'::numeric::double precision),
  CONSTRAINT comments_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT comments_review_id_fkey FOREIGN KEY (review_id) REFERENCES public.part_reviews(id) ON DELETE CASCADE,
  CONSTRAINT comments_share_link_id_fkey FOREIGN KEY (share_link_id) REFERENCES public.share_links(id) ON DELETE SET NULL,
  CONSTRAINT comments_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX comments_parent_idx ON public.comments USING btree (parent_id) WHERE (parent_id IS NOT NULL);
CREATE INDEX comments_part_idx ON public.comments USING btree (part_id, created_at);
CREATE INDEX comments_review_idx ON public.comments USING btree (review_id) WHERE (review_id IS NOT NULL);
CREATE INDEX comments_workspace_idx ON public.comments USING btree (workspace_id);
ALTER TABLE public.comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY "A share link shows its part's comments" ON public.comments
  FOR SELECT TO anon
  USING (part_id = private.share_part_id());
CREATE POLICY "A share link with comment rights comments on its part" ON public.comments
  FOR INSERT TO anon
  WITH CHECK (part_id = private.share_part_id() AND private.share_allows_comments() AND kind = 'comment'::text AND author_id IS NULL);
CREATE POLICY "Members read comments" ON public.comments
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE POLICY "Members who work on parts comment; reviewers write review notes" ON public.comments
  FOR INSERT TO authenticated
  WITH CHECK (author_id = (( SELECT auth.uid() AS uid)) AND private.has_role(workspace_id, '{admin,engineer,annotator,ml_engineer}'::public.member_role[]) AND (kind = 'comment'::text OR private.has_role(workspace_id, '{admin,engineer}'::public.member_role[])));
CREATE POLICY "Members who work on parts resolve and reopen threads" ON public.comments
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer,annotator,ml_engineer}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer,annotator,ml_engineer}'::public.member_role[]));
CREATE TRIGGER comments_after AFTER INSERT OR UPDATE ON public.comments FOR EACH ROW EXECUTE FUNCTION private.comments_after();
CREATE TRIGGER comments_defaults BEFORE INSERT ON public.comments FOR EACH ROW EXECUTE FUNCTION private.comments_defaults();
CREATE TRIGGER comments_guard BEFORE UPDATE ON public.comments FOR EACH ROW EXECUTE FUNCTION private.comments_guard();
GRANT ALL ON TABLE public.comments TO anon, authenticated, service_role;

CREATE TABLE public.datasets (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  name text NOT NULL,
  description text DEFAULT ''::text NOT NULL,
  label_schema_id uuid,
  required_annotations integer DEFAULT 1 NOT NULL,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  prelabel boolean DEFAULT true NOT NULL,
  queue_order text DEFAULT 'least_confident'::text NOT NULL,
  max_held_parts integer DEFAULT 3 NOT NULL,
  confirm_below real DEFAULT 0.6 NOT NULL,
  split_config jsonb,
  learned_prelabel boolean DEFAULT false NOT NULL,
  retrain_after integer DEFAULT 25 NOT NULL,
  CONSTRAINT datasets_confirm_below_check CHECK (confirm_below >= 0::double precision AND confirm_below <= 1::double precision),
  CONSTRAINT datasets_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT datasets_description_check CHECK (char_length(description) <= 4000),
  CONSTRAINT datasets_max_held_parts_check CHECK (max_held_parts >= 1 AND max_held_parts <= 100),
  CONSTRAINT datasets_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 120 AND name !~ '[[:cntrl:]]'::text),
  CONSTRAINT datasets_pkey PRIMARY KEY (id),
  CONSTRAINT datasets_queue_order_check CHECK (queue_order = ANY (ARRAY['least_confident'::text, 'oldest'::text, 'most_novel'::text, 'rare_classes'::text])),
  CONSTRAINT datasets_required_annotations_check CHECK (required_annotations >= 1 AND required_annotations <= 5),
  CONSTRAINT datasets_retrain_after_check CHECK (retrain_after >= 1 AND retrain_after <= 10000),
  CONSTRAINT datasets_split_config_check CHECK (split_config IS NULL OR jsonb_typeof(split_config) = 'object'::text),
  CONSTRAINT datasets_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT datasets_workspace_id_id_key UNIQUE (workspace_id, id),
  CONSTRAINT datasets_workspace_id_label_schema_id_fkey FOREIGN KEY (workspace_id, label_schema_id) REFERENCES public.label_schemas(workspace_id, id) ON DELETE RESTRICT,
  CONSTRAINT datasets_workspace_id_name_key UNIQUE (workspace_id, name)
);
ALTER TABLE public.datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY "A share link shows its part's dataset" ON public.datasets
  FOR SELECT TO anon
  USING ((EXISTS ( SELECT 1
   FROM public.parts p
  WHERE p.id = private.share_part_id() AND p.dataset_id = datasets.id)));
CREATE POLICY "Admins delete datasets" ON public.datasets
  FOR DELETE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins, engineers and ML engineers create datasets" ON public.datasets
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer,ml_engineer}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Admins, engineers and ML engineers edit datasets" ON public.datasets
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer,ml_engineer}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer,ml_engineer}'::public.member_role[]));
CREATE POLICY "Members see datasets" ON public.datasets
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER datasets_audit AFTER INSERT OR DELETE OR UPDATE ON public.datasets FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('dataset');
CREATE TRIGGER datasets_before_insert BEFORE INSERT ON public.datasets FOR EACH ROW EXECUTE FUNCTION private.datasets_before_insert();
CREATE TRIGGER datasets_before_update BEFORE UPDATE ON public.datasets FOR EACH ROW EXECUTE FUNCTION private.datasets_before_update();
CREATE TRIGGER datasets_queue_order AFTER UPDATE OF queue_order ON public.datasets FOR EACH ROW WHEN (new.queue_order IS DISTINCT FROM old.queue_order) EXECUTE FUNCTION private.datasets_queue_order();
GRANT ALL ON TABLE public.datasets TO anon, authenticated, service_role;
COMMENT ON COLUMN public.datasets.queue_order IS 'How the labelling queue is served. Set by admins and engineers only (private.datasets_queue_settings_guard), like prelabel, required_annotations and max_held_parts.';
COMMENT ON COLUMN public.datasets.confirm_below IS 'A pre-labelled face whose confidence is below this must be confirmed or changed before the part is submitted (0: never).';
COMMENT ON COLUMN public.datasets.split_config IS 'How parts without a split are assigned one (seed, named splits and ratios, stratification, near-duplicates kept together): packages/core splits.ts. Parts keep the split they have.';

CREATE TABLE public.independent_annotations (
  part_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  annotator_id uuid NOT NULL,
  revision_id uuid NOT NULL,
  face_signature text NOT NULL,
  created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
  CONSTRAINT independent_annotations_annotator_id_fkey FOREIGN KEY (annotator_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT independent_annotations_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT independent_annotations_pkey PRIMARY KEY (part_id, annotator_id, face_signature),
  CONSTRAINT independent_annotations_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES public.annotation_revisions(id) ON DELETE CASCADE,
  CONSTRAINT independent_annotations_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX independent_annotations_workspace_idx ON public.independent_annotations USING btree (workspace_id);
ALTER TABLE public.independent_annotations ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see independent annotations" ON public.independent_annotations
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
GRANT ALL ON TABLE public.independent_annotations TO anon, authenticated, service_role;

CREATE TABLE public.invitation_uses (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  invitation_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  user_id uuid,
  used_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT invitation_uses_invitation_id_fkey FOREIGN KEY (invitation_id) REFERENCES public.invitations(id) ON DELETE CASCADE,
  CONSTRAINT invitation_uses_pkey PRIMARY KEY (id),
  CONSTRAINT invitation_uses_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT invitation_uses_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX invitation_uses_invitation_id_idx ON public.invitation_uses USING btree (invitation_id, used_at);
CREATE INDEX invitation_uses_user_id_idx ON public.invitation_uses USING btree (user_id);
CREATE INDEX invitation_uses_workspace_id_idx ON public.invitation_uses USING btree (workspace_id);
ALTER TABLE public.invitation_uses ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins see who used their invitations" ON public.invitation_uses
  FOR SELECT TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
GRANT ALL ON TABLE public.invitation_uses TO anon, authenticated, service_role;

CREATE TABLE public.invitations (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  role public.member_role NOT NULL,
  email text,
  token_hash text NOT NULL,
  max_uses integer DEFAULT 1 NOT NULL,
  use_count integer DEFAULT 0 NOT NULL,
  expires_at timestamp with time zone NOT NULL,
  revoked_at timestamp with time zone,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT invitations_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT invitations_email_check CHECK (email IS NULL OR email = lower(email)),
  CONSTRAINT invitations_max_uses_check CHECK (max_uses >= 1 AND max_uses <= 1000),
  CONSTRAINT invitations_pkey PRIMARY KEY (id),
  CONSTRAINT invitations_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
  CONSTRAINT invitations_use_count_check CHECK (use_count >= 0),
  CONSTRAINT invitations_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX invitations_workspace_id_idx ON public.invitations USING btree (workspace_id);
ALTER TABLE public.invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins create invitations" ON public.invitations
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Admins delete invitations" ON public.invitations
  FOR DELETE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins revoke invitations" ON public.invitations
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins see invitations" ON public.invitations
  FOR SELECT TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE TRIGGER invitations_audit AFTER INSERT OR DELETE OR UPDATE ON public.invitations FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('invitation', 'token_hash');
GRANT ALL ON TABLE public.invitations TO anon, authenticated, service_role;

CREATE TABLE public.jobs (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid,
  kind text NOT NULL,
  status public.job_status DEFAULT 'queued'::public.job_status NOT NULL,
  part_id uuid,
  payload jsonb DEFAULT '{}'::jsonb NOT NULL,
  result jsonb,
  progress real DEFAULT 0 NOT NULL,
  progress_message text,
  attempts integer DEFAULT 0 NOT NULL,
  max_attempts integer DEFAULT 3 NOT NULL,
  error text,
  runner text,
  external_id text,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  started_at timestamp with time zone,
  finished_at timestamp with time zone,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  dispatched_at timestamp with time zone,
  CONSTRAINT jobs_attempts_check CHECK (attempts >= 0),
  CONSTRAINT jobs_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT jobs_kind_check CHECK (kind ~ '^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)*$'::text),
  CONSTRAINT jobs_max_attempts_check CHECK (max_attempts >= 1 AND max_attempts <= 25),
  CONSTRAINT jobs_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT jobs_pkey PRIMARY KEY (id),
  CONSTRAINT jobs_progress_check CHECK (progress >= 0::double precision AND progress <= 1::double precision),
  CONSTRAINT jobs_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX jobs_part_idx ON public.jobs USING btree (part_id) WHERE (part_id IS NOT NULL);
CREATE INDEX jobs_status_idx ON public.jobs USING btree (status) WHERE (status = ANY (ARRAY['queued'::public.job_status, 'running'::public.job_status]));
CREATE INDEX jobs_undispatched_idx ON public.jobs USING btree (created_at) WHERE ((status = 'queued'::public.job_status) AND (dispatched_at IS NULL));
CREATE INDEX jobs_workspace_created_idx ON public.jobs USING btree (workspace_id, created_at DESC);
ALTER TABLE public.jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins and engineers cancel jobs" ON public.jobs
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]));
CREATE POLICY "Admins and engineers start jobs" ON public.jobs
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)) AND kind !~~ 'curation:%'::text AND status = 'queued'::public.job_status AND attempts = 0 AND started_at IS NULL AND finished_at IS NULL AND result IS NULL AND error IS NULL AND (part_id IS NULL OR (EXISTS ( SELECT 1
   FROM public.parts p
  WHERE p.id = jobs.part_id AND p.workspace_id = jobs.workspace_id))));
CREATE POLICY "Admins delete job records" ON public.jobs
  FOR DELETE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "ML engineers start curation jobs" ON public.jobs
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin,ml_engineer}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)) AND kind ~~ 'curation:%'::text AND part_id IS NULL AND status = 'queued'::public.job_status AND attempts = 0 AND started_at IS NULL AND finished_at IS NULL AND result IS NULL AND error IS NULL);
CREATE POLICY "Members see their workspace's jobs" ON public.jobs
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER jobs_dispatch AFTER INSERT ON public.jobs FOR EACH ROW WHEN (new.status = 'queued'::public.job_status) EXECUTE FUNCTION private.dispatch_job();
CREATE TRIGGER jobs_guard BEFORE UPDATE ON public.jobs FOR EACH ROW EXECUTE FUNCTION private.jobs_guard();
CREATE TRIGGER jobs_touch BEFORE UPDATE ON public.jobs FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();
GRANT ALL ON TABLE public.jobs TO anon, authenticated, service_role;

CREATE TABLE public.label_schema_mapped_parts (
  to_schema_id uuid NOT NULL,
  part_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  from_revision_id uuid NOT NULL,
  revision_id uuid,
  split_faces integer DEFAULT 0 NOT NULL,
  problem text,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT label_schema_mapped_parts_check CHECK (problem IS NULL OR revision_id IS NULL AND char_length(problem) >= 1 AND char_length(problem) <= 500),
  CONSTRAINT label_schema_mapped_parts_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT label_schema_mapped_parts_from_revision_id_fkey FOREIGN KEY (from_revision_id) REFERENCES public.annotation_revisions(id) ON DELETE CASCADE,
  CONSTRAINT label_schema_mapped_parts_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT label_schema_mapped_parts_pkey PRIMARY KEY (to_schema_id, part_id),
  CONSTRAINT label_schema_mapped_parts_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES public.annotation_revisions(id) ON DELETE CASCADE,
  CONSTRAINT label_schema_mapped_parts_split_faces_check CHECK (split_faces >= 0),
  CONSTRAINT label_schema_mapped_parts_to_schema_id_fkey FOREIGN KEY (to_schema_id) REFERENCES public.label_schema_mappings(to_schema_id) ON DELETE CASCADE,
  CONSTRAINT label_schema_mapped_parts_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX label_schema_mapped_parts_part_idx ON public.label_schema_mapped_parts USING btree (part_id);
ALTER TABLE public.label_schema_mapped_parts ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins apply label schema mappings" ON public.label_schema_mapped_parts
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Members see mapped parts" ON public.label_schema_mapped_parts
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER label_schema_mapped_parts_guard BEFORE INSERT OR UPDATE ON public.label_schema_mapped_parts FOR EACH ROW EXECUTE FUNCTION private.label_schema_mapped_part_guard();
GRANT ALL ON TABLE public.label_schema_mapped_parts TO service_role;
GRANT SELECT, INSERT ON TABLE public.label_schema_mapped_parts TO authenticated;

CREATE TABLE public.label_schema_mappings (
  to_schema_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  from_schema_id uuid NOT NULL,
  mapping jsonb NOT NULL,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT label_schema_mappings_check CHECK (from_schema_id <> to_schema_id),
  CONSTRAINT label_schema_mappings_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT label_schema_mappings_mapping_check CHECK (jsonb_typeof(mapping) = 'object'::text),
  CONSTRAINT label_schema_mappings_pkey PRIMARY KEY (to_schema_id),
  CONSTRAINT label_schema_mappings_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT label_schema_mappings_workspace_id_from_schema_id_fkey FOREIGN KEY (workspace_id, from_schema_id) REFERENCES public.label_schemas(workspace_id, id) ON DELETE CASCADE,
  CONSTRAINT label_schema_mappings_workspace_id_to_schema_id_fkey FOREIGN KEY (workspace_id, to_schema_id) REFERENCES public.label_schemas(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX label_schema_mappings_from_idx ON public.label_schema_mappings USING btree (from_schema_id);
ALTER TABLE public.label_schema_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins make label schema mappings" ON public.label_schema_mappings
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Members see label schema mappings" ON public.label_schema_mappings
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER label_schema_mappings_audit AFTER INSERT ON public.label_schema_mappings FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('label_schema_mapping');
CREATE TRIGGER label_schema_mappings_guard BEFORE INSERT OR UPDATE ON public.label_schema_mappings FOR EACH ROW EXECUTE FUNCTION private.label_schema_mapping_guard();
GRANT ALL ON TABLE public.label_schema_mappings TO service_role;
GRANT SELECT, INSERT ON TABLE public.label_schema_mappings TO authenticated;

CREATE TABLE public.label_schemas (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  name text NOT NULL,
  version integer DEFAULT 1 NOT NULL,
  taxonomy jsonb NOT NULL,
  is_default boolean DEFAULT false NOT NULL,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT label_schemas_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT label_schemas_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 80),
  CONSTRAINT label_schemas_pkey PRIMARY KEY (id),
  CONSTRAINT label_schemas_taxonomy_check CHECK (jsonb_typeof(taxonomy) = 'object'::text AND jsonb_typeof(taxonomy -> 'featureTypes'::text) = 'array'::text),
  CONSTRAINT label_schemas_version_check CHECK (version > 0),
  CONSTRAINT label_schemas_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT label_schemas_workspace_id_id_key UNIQUE (workspace_id, id),
  CONSTRAINT label_schemas_workspace_id_name_version_key UNIQUE (workspace_id, name, version)
);
CREATE UNIQUE INDEX label_schemas_one_default_idx ON public.label_schemas USING btree (workspace_id) WHERE is_default;
ALTER TABLE public.label_schemas ENABLE ROW LEVEL SECURITY;
CREATE POLICY "A share link shows its part's label schema" ON public.label_schemas
  FOR SELECT TO anon
  USING ((EXISTS ( SELECT 1
   FROM public.parts p
     JOIN public.datasets d ON d.id = p.dataset_id
  WHERE p.id = private.share_part_id() AND d.label_schema_id = label_schemas.id)));
CREATE POLICY "Admins choose the default label schema" ON public.label_schemas
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins create label schemas" ON public.label_schemas
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins delete unused label schemas" ON public.label_schemas
  FOR DELETE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Members see label schemas" ON public.label_schemas
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER label_schemas_audit AFTER INSERT OR DELETE OR UPDATE ON public.label_schemas FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('label_schema');
CREATE TRIGGER label_schemas_immutable BEFORE UPDATE ON public.label_schemas FOR EACH ROW EXECUTE FUNCTION private.label_schema_immutable();
GRANT ALL ON TABLE public.label_schemas TO anon, authenticated, service_role;

CREATE TABLE public.notifications (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL,
  part_id uuid,
  comment_id uuid,
  actor_id uuid,
  actor_name text,
  summary text NOT NULL,
  read_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT notifications_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT notifications_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES public.comments(id) ON DELETE CASCADE,
  CONSTRAINT notifications_kind_check CHECK (kind = ANY (ARRAY['mention'::text, 'reply'::text, 'review_rejected'::text, 'review_approved'::text])),
  CONSTRAINT notifications_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT notifications_pkey PRIMARY KEY (id),
  CONSTRAINT notifications_summary_check CHECK (char_length(summary) <= 300),
  CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT notifications_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX notifications_unread_idx ON public.notifications USING btree (user_id) WHERE (read_at IS NULL);
CREATE INDEX notifications_user_idx ON public.notifications USING btree (user_id, workspace_id, created_at DESC);
ALTER TABLE public.notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users mark their own notifications read" ON public.notifications
  FOR UPDATE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id))
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id));
CREATE POLICY "Users see their own notifications" ON public.notifications
  FOR SELECT TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id));
CREATE TRIGGER notifications_guard BEFORE UPDATE ON public.notifications FOR EACH ROW EXECUTE FUNCTION private.notifications_guard();
GRANT ALL ON TABLE public.notifications TO anon, authenticated, service_role;

CREATE TABLE public.part_catalog (
  part_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  dataset_id uuid NOT NULL,
  name text NOT NULL,
  status public.part_status NOT NULL,
  split text,
  tags text[] NOT NULL,
  created_at timestamp with time zone NOT NULL,
  status_changed_at timestamp with time zone NOT NULL,
  face_count integer DEFAULT '-1'::integer NOT NULL,
  surface_types text[] DEFAULT '{}'::text[] NOT NULL,
  has_thumbnail boolean DEFAULT false NOT NULL,
  revision_id uuid,
  revision_no integer,
  source text,
  annotator_id uuid,
  features text[] DEFAULT '{}'::text[] NOT NULL,
  face_counts jsonb DEFAULT '{}'::jsonb NOT NULL,
  instance_counts jsonb DEFAULT '{}'::jsonb NOT NULL,
  instance_levels text[] DEFAULT '{}'::text[] NOT NULL,
  labelled_faces integer DEFAULT 0 NOT NULL,
  labelled_at timestamp with time zone,
  CONSTRAINT part_catalog_annotator_id_fkey FOREIGN KEY (annotator_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT part_catalog_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT part_catalog_pkey PRIMARY KEY (part_id),
  CONSTRAINT part_catalog_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES public.annotation_revisions(id) ON DELETE SET NULL,
  CONSTRAINT part_catalog_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX part_catalog_annotator_idx ON public.part_catalog USING btree (annotator_id) WHERE (annotator_id IS NOT NULL);
CREATE INDEX part_catalog_dataset_changed_idx ON public.part_catalog USING btree (dataset_id, status_changed_at, part_id);
CREATE INDEX part_catalog_dataset_created_idx ON public.part_catalog USING btree (dataset_id, created_at, part_id);
CREATE INDEX part_catalog_dataset_faces_idx ON public.part_catalog USING btree (dataset_id, face_count, part_id);
CREATE INDEX part_catalog_dataset_name_idx ON public.part_catalog USING btree (dataset_id, name, part_id);
CREATE INDEX part_catalog_dataset_split_idx ON public.part_catalog USING btree (dataset_id, split);
CREATE INDEX part_catalog_dataset_status_idx ON public.part_catalog USING btree (dataset_id, status, part_id);
CREATE INDEX part_catalog_features_idx ON public.part_catalog USING gin (features);
CREATE INDEX part_catalog_instance_levels_idx ON public.part_catalog USING gin (instance_levels);
CREATE INDEX part_catalog_name_trgm_idx ON public.part_catalog USING gin (name extensions.gin_trgm_ops);
CREATE INDEX part_catalog_surfaces_idx ON public.part_catalog USING gin (surface_types);
CREATE INDEX part_catalog_tags_idx ON public.part_catalog USING gin (tags);
CREATE INDEX part_catalog_workspace_created_idx ON public.part_catalog USING btree (workspace_id, created_at, part_id);
CREATE INDEX part_catalog_workspace_name_idx ON public.part_catalog USING btree (workspace_id, name, part_id);
ALTER TABLE public.part_catalog ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see the catalog" ON public.part_catalog
  FOR SELECT TO authenticated
  USING ((workspace_id IN ( SELECT private.member_workspace_ids() AS member_workspace_ids)));
GRANT ALL ON TABLE public.part_catalog TO service_role;
GRANT SELECT ON TABLE public.part_catalog TO authenticated;
COMMENT ON TABLE public.part_catalog IS 'Derived, one row per part: its fields, current geometry and latest labels summarised, for the catalog''s filters and orders. Written only by the private.part_catalog_* triggers.';

CREATE TABLE public.part_geometry (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  blob_sha256 text NOT NULL,
  tessellator_version text NOT NULL,
  params_hash text NOT NULL,
  params jsonb NOT NULL,
  mesh_key text NOT NULL,
  faces_key text NOT NULL,
  face_count integer NOT NULL,
  triangle_count integer NOT NULL,
  face_signature text NOT NULL,
  area double precision NOT NULL,
  bbox jsonb NOT NULL,
  duration_ms integer,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  surface_types text[],
  shape_descriptor real[],
  thumbnail_key text,
  CONSTRAINT part_geometry_blob_sha256_fkey FOREIGN KEY (blob_sha256) REFERENCES public.blobs(sha256) ON DELETE CASCADE,
  CONSTRAINT part_geometry_blob_sha256_tessellator_version_params_hash_key UNIQUE (blob_sha256, tessellator_version, params_hash),
  CONSTRAINT part_geometry_face_count_check CHECK (face_count > 0),
  CONSTRAINT part_geometry_pkey PRIMARY KEY (id),
  CONSTRAINT part_geometry_shape_descriptor_check CHECK (shape_descriptor IS NULL OR cardinality(shape_descriptor) >= 1 AND cardinality(shape_descriptor) <= 100 AND array_position(shape_descriptor, NULL::real) IS NULL),
  CONSTRAINT part_geometry_triangle_count_check CHECK (triangle_count >= 0)
);
CREATE INDEX part_geometry_shape_idx ON public.part_geometry USING gist (extensions.cube((shape_descriptor)::double precision[])) WHERE (shape_descriptor IS NOT NULL);
ALTER TABLE public.part_geometry ENABLE ROW LEVEL SECURITY;
CREATE POLICY "A share link shows its part's geometry" ON public.part_geometry
  FOR SELECT TO anon
  USING ((EXISTS ( SELECT 1
   FROM public.parts p
  WHERE p.id = private.share_part_id() AND p.geometry_id = part_geometry.id)));
CREATE POLICY "Members see the geometry of their parts" ON public.part_geometry
  FOR SELECT TO authenticated
  USING ((EXISTS ( SELECT 1
   FROM public.parts p
  WHERE p.blob_sha256 = part_geometry.blob_sha256)));
CREATE TRIGGER part_geometry_part_catalog AFTER UPDATE OF face_count, surface_types, thumbnail_key ON public.part_geometry FOR EACH ROW EXECUTE FUNCTION private.part_catalog_of_geometry();
GRANT ALL ON TABLE public.part_geometry TO anon, authenticated, service_role;
COMMENT ON COLUMN public.part_geometry.shape_descriptor IS 'Geometry fingerprint (packages/geometry fingerprint.ts): invariant to rotation, translation and scale; near-duplicate shapes are close in Euclidean distance. Indexed as a cube for nearest-neighbour search.';

CREATE TABLE public.part_presence (
  part_id uuid NOT NULL,
  user_id uuid NOT NULL,
  connection_id text NOT NULL,
  workspace_id uuid NOT NULL,
  joined_at timestamp with time zone DEFAULT now() NOT NULL,
  seen_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT part_presence_connection_id_check CHECK (char_length(connection_id) >= 1 AND char_length(connection_id) <= 64),
  CONSTRAINT part_presence_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT part_presence_pkey PRIMARY KEY (part_id, user_id, connection_id),
  CONSTRAINT part_presence_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT part_presence_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX part_presence_user_idx ON public.part_presence USING btree (user_id);
CREATE INDEX part_presence_workspace_idx ON public.part_presence USING btree (workspace_id);
ALTER TABLE public.part_presence ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members record their own presence" ON public.part_presence
  FOR INSERT TO authenticated
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id));
CREATE POLICY "Members remove their own presence" ON public.part_presence
  FOR DELETE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id));
CREATE POLICY "Members renew their own presence" ON public.part_presence
  FOR UPDATE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id))
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND private.is_member(workspace_id));
CREATE POLICY "Members see who has their workspace's parts open" ON public.part_presence
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER part_presence_defaults BEFORE INSERT OR UPDATE OF part_id, workspace_id ON public.part_presence FOR EACH ROW EXECUTE FUNCTION private.part_presence_defaults();
CREATE TRIGGER part_presence_notify AFTER INSERT OR DELETE ON public.part_presence FOR EACH ROW EXECUTE FUNCTION private.notify_presence();
GRANT ALL ON TABLE public.part_presence TO anon, authenticated, service_role;

CREATE TABLE public.part_reviews (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  part_id uuid NOT NULL,
  revision_id uuid NOT NULL,
  revision_no integer NOT NULL,
  reviewer_id uuid,
  annotator_id uuid,
  decision text NOT NULL,
  summary text,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT part_reviews_annotator_id_fkey FOREIGN KEY (annotator_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT part_reviews_decision_check CHECK (decision = ANY (ARRAY['approved'::text, 'rejected'::text])),
  CONSTRAINT part_reviews_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT part_reviews_pkey PRIMARY KEY (id),
  CONSTRAINT part_reviews_reviewer_id_fkey FOREIGN KEY (reviewer_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT part_reviews_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES public.annotation_revisions(id) ON DELETE CASCADE,
  CONSTRAINT part_reviews_summary_check CHECK (char_length(summary) <= 10000),
  CONSTRAINT part_reviews_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT part_reviews_workspace_id_part_id_fkey FOREIGN KEY (workspace_id, part_id) REFERENCES public.parts(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX part_reviews_part_idx ON public.part_reviews USING btree (part_id, created_at);
CREATE INDEX part_reviews_workspace_idx ON public.part_reviews USING btree (workspace_id);
ALTER TABLE public.part_reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Engineers and admins review the work of others" ON public.part_reviews
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]) AND reviewer_id = (( SELECT auth.uid() AS uid)) AND annotator_id IS DISTINCT FROM (( SELECT auth.uid() AS uid)) AND NOT (EXISTS ( SELECT 1
   FROM public.annotation_revisions r
  WHERE r.id = part_reviews.revision_id AND r.author_id = (( SELECT auth.uid() AS uid)))));
CREATE POLICY "Members see review decisions" ON public.part_reviews
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER part_reviews_after AFTER INSERT ON public.part_reviews FOR EACH ROW EXECUTE FUNCTION private.part_reviews_after();
CREATE TRIGGER part_reviews_append_only BEFORE DELETE OR UPDATE ON public.part_reviews FOR EACH ROW EXECUTE FUNCTION private.append_only_with_part();
CREATE TRIGGER part_reviews_defaults BEFORE INSERT ON public.part_reviews FOR EACH ROW EXECUTE FUNCTION private.part_reviews_defaults();
GRANT ALL ON TABLE public.part_reviews TO anon, authenticated, service_role;

CREATE TABLE public.parts (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  dataset_id uuid NOT NULL,
  blob_sha256 text NOT NULL,
  name text NOT NULL,
  status public.part_status DEFAULT 'uploaded'::public.part_status NOT NULL,
  status_changed_at timestamp with time zone DEFAULT now() NOT NULL,
  annotator_id uuid,
  claimed_at timestamp with time zone,
  lease_expires_at timestamp with time zone,
  claimed_from public.part_status,
  reviewer_id uuid,
  review_notes text,
  split text,
  tags text[] DEFAULT '{}'::text[] NOT NULL,
  geometry jsonb,
  failure_reason text,
  queue_priority real DEFAULT 0 NOT NULL,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  geometry_id uuid,
  returned_at timestamp with time zone,
  prelabel_confidence real,
  prelabel_disagreements integer,
  prelabel_error text,
  CONSTRAINT parts_annotator_id_fkey FOREIGN KEY (annotator_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT parts_blob_sha256_fkey FOREIGN KEY (blob_sha256) REFERENCES public.blobs(sha256) ON DELETE RESTRICT,
  CONSTRAINT parts_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT parts_dataset_id_blob_sha256_key UNIQUE (dataset_id, blob_sha256),
  CONSTRAINT parts_geometry_id_fkey FOREIGN KEY (geometry_id) REFERENCES public.part_geometry(id) ON DELETE SET NULL,
  CONSTRAINT parts_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 255 AND name !~ '[/\\[:cntrl:]]'::text),
  CONSTRAINT parts_pkey PRIMARY KEY (id),
  CONSTRAINT parts_prelabel_confidence_check CHECK (prelabel_confidence >= 0::double precision AND prelabel_confidence <= 1::double precision),
  CONSTRAINT parts_prelabel_disagreements_check CHECK (prelabel_disagreements >= 0),
  CONSTRAINT parts_prelabel_error_check CHECK (char_length(prelabel_error) <= 2000),
  CONSTRAINT parts_review_notes_check CHECK (char_length(review_notes) <= 10000),
  CONSTRAINT parts_reviewer_id_fkey FOREIGN KEY (reviewer_id) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT parts_split_check CHECK (split ~ '^[a-z][a-z0-9_-]{0,31}$'::text),
  CONSTRAINT parts_workspace_id_dataset_id_fkey FOREIGN KEY (workspace_id, dataset_id) REFERENCES public.datasets(workspace_id, id) ON DELETE CASCADE,
  CONSTRAINT parts_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT parts_workspace_id_id_key UNIQUE (workspace_id, id)
);
CREATE INDEX parts_annotator_idx ON public.parts USING btree (annotator_id) WHERE (annotator_id IS NOT NULL);
CREATE INDEX parts_blob_idx ON public.parts USING btree (blob_sha256);
CREATE INDEX parts_dataset_name_idx ON public.parts USING btree (dataset_id, name, id);
CREATE INDEX parts_dataset_status_idx ON public.parts USING btree (dataset_id, status);
CREATE INDEX parts_geometry_idx ON public.parts USING btree (geometry_id) WHERE (geometry_id IS NOT NULL);
CREATE INDEX parts_queue_idx ON public.parts USING btree (workspace_id, queue_priority, created_at) WHERE (status = ANY (ARRAY['pre_labeled'::public.part_status, 'unannotated'::public.part_status, 'in_progress'::public.part_status]));
CREATE INDEX parts_review_queue_idx ON public.parts USING btree (workspace_id, status_changed_at, id) WHERE (status = 'in_review'::public.part_status);
CREATE INDEX parts_workspace_status_idx ON public.parts USING btree (workspace_id, status);
ALTER TABLE public.parts ENABLE ROW LEVEL SECURITY;
CREATE POLICY "A share link shows its part" ON public.parts
  FOR SELECT TO anon
  USING (id = private.share_part_id());
CREATE POLICY "Admins and engineers add parts of content their workspace holds" ON public.parts
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)) AND (EXISTS ( SELECT 1
   FROM public.workspace_blobs wb
  WHERE wb.workspace_id = parts.workspace_id AND wb.sha256 = parts.blob_sha256)));
CREATE POLICY "Admins and engineers discard parts" ON public.parts
  FOR DELETE TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]));
CREATE POLICY "Curators, reviewers and the holding annotator update parts" ON public.parts
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer,ml_engineer}'::public.member_role[]) OR annotator_id = (( SELECT auth.uid() AS uid)) AND private.has_role(workspace_id, '{annotator}'::public.member_role[]))
  WITH CHECK (private.is_member(workspace_id));
CREATE POLICY "Members see parts" ON public.parts
  FOR SELECT TO authenticated
  USING ((workspace_id IN ( SELECT private.member_workspace_ids() AS member_workspace_ids)));
CREATE TRIGGER parts_after_delete AFTER DELETE ON public.parts FOR EACH ROW EXECUTE FUNCTION private.parts_after_delete();
CREATE TRIGGER parts_after_insert AFTER INSERT ON public.parts FOR EACH ROW EXECUTE FUNCTION private.parts_after_insert();
CREATE TRIGGER parts_after_update AFTER UPDATE ON public.parts FOR EACH ROW EXECUTE FUNCTION private.parts_after_update();
CREATE TRIGGER parts_before_insert BEFORE INSERT ON public.parts FOR EACH ROW EXECUTE FUNCTION private.parts_before_insert();
CREATE TRIGGER parts_before_update BEFORE UPDATE ON public.parts FOR EACH ROW EXECUTE FUNCTION private.parts_before_update();
GRANT ALL ON TABLE public.parts TO anon, authenticated, service_role;

CREATE TABLE public.prelabel_model_revisions (
  model_id uuid NOT NULL,
  part_id uuid NOT NULL,
  revision_id uuid NOT NULL,
  held_out boolean NOT NULL,
  CONSTRAINT prelabel_model_revisions_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.prelabel_models(id) ON DELETE CASCADE,
  CONSTRAINT prelabel_model_revisions_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT prelabel_model_revisions_pkey PRIMARY KEY (model_id, part_id),
  CONSTRAINT prelabel_model_revisions_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES public.annotation_revisions(id) ON DELETE CASCADE
);
CREATE INDEX prelabel_model_revisions_part_idx ON public.prelabel_model_revisions USING btree (part_id);
CREATE INDEX prelabel_model_revisions_revision_idx ON public.prelabel_model_revisions USING btree (revision_id);
ALTER TABLE public.prelabel_model_revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see what their workspace's models trained on" ON public.prelabel_model_revisions
  FOR SELECT TO authenticated
  USING ((EXISTS ( SELECT 1
   FROM public.prelabel_models m
  WHERE m.id = prelabel_model_revisions.model_id AND private.is_member(m.workspace_id))));
GRANT ALL ON TABLE public.prelabel_model_revisions TO service_role;
GRANT SELECT ON TABLE public.prelabel_model_revisions TO authenticated;

CREATE TABLE public.prelabel_models (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  dataset_id uuid NOT NULL,
  version integer NOT NULL,
  status text DEFAULT 'training'::text NOT NULL,
  reason text NOT NULL,
  requested_by uuid,
  job_id uuid,
  label_schema_id uuid,
  classes text[] DEFAULT '{}'::text[] NOT NULL,
  model_sha256 text,
  size_bytes bigint,
  seed integer,
  train_parts integer,
  train_faces integer,
  evaluation jsonb,
  baseline_model_id uuid,
  baseline_evaluation jsonb,
  decision text,
  error text,
  training_ms integer,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  finished_at timestamp with time zone,
  promoted_at timestamp with time zone,
  retired_at timestamp with time zone,
  CONSTRAINT prelabel_models_baseline_evaluation_check CHECK (baseline_evaluation IS NULL OR jsonb_typeof(baseline_evaluation) = 'object'::text),
  CONSTRAINT prelabel_models_baseline_model_id_fkey FOREIGN KEY (baseline_model_id) REFERENCES public.prelabel_models(id) ON DELETE SET NULL,
  CONSTRAINT prelabel_models_check CHECK ((status = ANY (ARRAY['training'::text, 'failed'::text])) OR model_sha256 IS NOT NULL AND size_bytes IS NOT NULL),
  CONSTRAINT prelabel_models_dataset_id_version_key UNIQUE (dataset_id, version),
  CONSTRAINT prelabel_models_decision_check CHECK (char_length(decision) <= 2000),
  CONSTRAINT prelabel_models_error_check CHECK (char_length(error) <= 2000),
  CONSTRAINT prelabel_models_evaluation_check CHECK (evaluation IS NULL OR jsonb_typeof(evaluation) = 'object'::text),
  CONSTRAINT prelabel_models_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id) ON DELETE SET NULL,
  CONSTRAINT prelabel_models_label_schema_id_fkey FOREIGN KEY (label_schema_id) REFERENCES public.label_schemas(id) ON DELETE SET NULL,
  CONSTRAINT prelabel_models_model_sha256_check CHECK (model_sha256 ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT prelabel_models_pkey PRIMARY KEY (id),
  CONSTRAINT prelabel_models_reason_check CHECK (reason = ANY (ARRAY['auto'::text, 'manual'::text])),
  CONSTRAINT prelabel_models_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT prelabel_models_size_bytes_check CHECK (size_bytes >= 0),
  CONSTRAINT prelabel_models_status_check CHECK (status = ANY (ARRAY['training'::text, 'failed'::text, 'evaluated'::text, 'promoted'::text, 'retired'::text])),
  CONSTRAINT prelabel_models_train_faces_check CHECK (train_faces >= 0),
  CONSTRAINT prelabel_models_train_parts_check CHECK (train_parts >= 0),
  CONSTRAINT prelabel_models_training_ms_check CHECK (training_ms >= 0),
  CONSTRAINT prelabel_models_version_check CHECK (version >= 1),
  CONSTRAINT prelabel_models_workspace_id_dataset_id_fkey FOREIGN KEY (workspace_id, dataset_id) REFERENCES public.datasets(workspace_id, id) ON DELETE CASCADE,
  CONSTRAINT prelabel_models_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX prelabel_models_promoted_idx ON public.prelabel_models USING btree (dataset_id) WHERE (status = 'promoted'::text);
CREATE INDEX prelabel_models_sha_idx ON public.prelabel_models USING btree (model_sha256) WHERE (model_sha256 IS NOT NULL);
CREATE UNIQUE INDEX prelabel_models_training_idx ON public.prelabel_models USING btree (dataset_id) WHERE (status = 'training'::text);
CREATE INDEX prelabel_models_workspace_idx ON public.prelabel_models USING btree (workspace_id, dataset_id, version DESC);
ALTER TABLE public.prelabel_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see their workspace's models" ON public.prelabel_models
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
GRANT ALL ON TABLE public.prelabel_models TO service_role;
GRANT SELECT ON TABLE public.prelabel_models TO authenticated;
COMMENT ON TABLE public.prelabel_models IS 'Learned pre-labeler versions of a dataset (issue 20). Written by the worker (train-prelabeler) only; members read.';

CREATE TABLE public.profiles (
  user_id uuid NOT NULL,
  email text NOT NULL,
  display_name text,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  erased_at timestamp with time zone,
  CONSTRAINT profiles_pkey PRIMARY KEY (user_id),
  CONSTRAINT profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE
);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users see their own profile and those of co-members" ON public.profiles
  FOR SELECT TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) OR private.shares_workspace(user_id));
CREATE POLICY "Users update their own profile" ON public.profiles
  FOR UPDATE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)))
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)));
GRANT ALL ON TABLE public.profiles TO service_role;
GRANT SELECT, INSERT, DELETE, TRUNCATE, REFERENCES, TRIGGER, MAINTAIN ON TABLE public.profiles TO anon, authenticated;
GRANT UPDATE (display_name) ON TABLE public.profiles TO authenticated;
COMMENT ON COLUMN public.profiles.erased_at IS 'Set by public.erase_person: the name and email are gone everywhere; display_name holds the anonymised label.';

CREATE TABLE public.saved_filters (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  dataset_id uuid,
  user_id uuid DEFAULT auth.uid() NOT NULL,
  name text NOT NULL,
  query text NOT NULL,
  shared boolean DEFAULT false NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT saved_filters_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 80 AND name !~ '[[:cntrl:]]'::text),
  CONSTRAINT saved_filters_pkey PRIMARY KEY (id),
  CONSTRAINT saved_filters_query_check CHECK (char_length(query) <= 4000),
  CONSTRAINT saved_filters_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT saved_filters_workspace_id_dataset_id_fkey FOREIGN KEY (workspace_id, dataset_id) REFERENCES public.datasets(workspace_id, id) ON DELETE CASCADE,
  CONSTRAINT saved_filters_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT saved_filters_workspace_id_user_id_name_key UNIQUE (workspace_id, user_id, name)
);
ALTER TABLE public.saved_filters ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members change their own filters" ON public.saved_filters
  FOR UPDATE TO authenticated
  USING (private.is_member(workspace_id) AND user_id = (( SELECT auth.uid() AS uid)))
  WITH CHECK (private.is_member(workspace_id) AND user_id = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Members delete their own filters" ON public.saved_filters
  FOR DELETE TO authenticated
  USING (private.is_member(workspace_id) AND user_id = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Members save their own filters" ON public.saved_filters
  FOR INSERT TO authenticated
  WITH CHECK (private.is_member(workspace_id) AND user_id = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Members see their own and shared filters" ON public.saved_filters
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id) AND (user_id = (( SELECT auth.uid() AS uid)) OR shared));
GRANT ALL ON TABLE public.saved_filters TO authenticated, service_role;

CREATE TABLE public.share_links (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  part_id uuid NOT NULL,
  token_hash text NOT NULL,
  access text NOT NULL,
  label text,
  expires_at timestamp with time zone NOT NULL,
  revoked_at timestamp with time zone,
  revoked_by uuid,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  last_used_at timestamp with time zone,
  use_count integer DEFAULT 0 NOT NULL,
  CONSTRAINT share_links_access_check CHECK (access = ANY (ARRAY['read'::text, 'comment'::text])),
  CONSTRAINT share_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT share_links_label_check CHECK (char_length(label) <= 120),
  CONSTRAINT share_links_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT share_links_pkey PRIMARY KEY (id),
  CONSTRAINT share_links_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT share_links_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT share_links_token_hash_key UNIQUE (token_hash),
  CONSTRAINT share_links_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT share_links_workspace_id_part_id_fkey FOREIGN KEY (workspace_id, part_id) REFERENCES public.parts(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX share_links_part_idx ON public.share_links USING btree (part_id);
CREATE INDEX share_links_workspace_idx ON public.share_links USING btree (workspace_id);
ALTER TABLE public.share_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Engineers and admins create share links" ON public.share_links
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]) AND created_by = (( SELECT auth.uid() AS uid)));
CREATE POLICY "Engineers and admins revoke share links" ON public.share_links
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]));
CREATE POLICY "Engineers and admins see share links" ON public.share_links
  FOR SELECT TO authenticated
  USING (private.has_role(workspace_id, '{admin,engineer}'::public.member_role[]));
CREATE TRIGGER share_links_audit AFTER INSERT OR UPDATE OF revoked_at ON public.share_links FOR EACH ROW EXECUTE FUNCTION private.share_links_audit();
CREATE TRIGGER share_links_guard BEFORE INSERT OR UPDATE ON public.share_links FOR EACH ROW EXECUTE FUNCTION private.share_links_guard();
GRANT ALL ON TABLE public.share_links TO anon, authenticated, service_role;

CREATE TABLE public.snapshot_exports (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  snapshot_id uuid NOT NULL,
  format text NOT NULL,
  include_meshes boolean DEFAULT false NOT NULL,
  job_id uuid,
  archive_key text,
  archive_size bigint,
  archive_sha256 text,
  completed_at timestamp with time zone,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT snapshot_exports_archive_sha256_check CHECK (archive_sha256 ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT snapshot_exports_archive_size_check CHECK (archive_size >= 0),
  CONSTRAINT snapshot_exports_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT snapshot_exports_format_check CHECK (format = ANY (ARRAY['parquet'::text, 'jsonl'::text, 'mfcad'::text, 'mfinstseg'::text, 'step'::text])),
  CONSTRAINT snapshot_exports_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id) ON DELETE SET NULL,
  CONSTRAINT snapshot_exports_pkey PRIMARY KEY (id),
  CONSTRAINT snapshot_exports_snapshot_id_format_include_meshes_key UNIQUE (snapshot_id, format, include_meshes),
  CONSTRAINT snapshot_exports_workspace_id_snapshot_id_fkey FOREIGN KEY (workspace_id, snapshot_id) REFERENCES public.snapshots(workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE public.snapshot_exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see exports" ON public.snapshot_exports
  FOR SELECT TO authenticated
  USING ((workspace_id IN ( SELECT private.member_workspace_ids() AS member_workspace_ids)));
CREATE TRIGGER snapshot_exports_audit AFTER INSERT ON public.snapshot_exports FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('export');
GRANT ALL ON TABLE public.snapshot_exports TO service_role;
GRANT SELECT ON TABLE public.snapshot_exports TO authenticated;

CREATE TABLE public.snapshot_parts (
  snapshot_id uuid NOT NULL,
  part_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  name text NOT NULL,
  blob_sha256 text NOT NULL,
  revision_id uuid NOT NULL,
  revision_no integer NOT NULL,
  face_signature text,
  face_count integer NOT NULL,
  label_schema_id uuid,
  schema_version integer NOT NULL,
  document_sha256 text NOT NULL,
  status public.part_status NOT NULL,
  split text,
  CONSTRAINT snapshot_parts_document_sha256_check CHECK (document_sha256 ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT snapshot_parts_pkey PRIMARY KEY (snapshot_id, part_id),
  CONSTRAINT snapshot_parts_workspace_id_part_id_fkey FOREIGN KEY (workspace_id, part_id) REFERENCES public.parts(workspace_id, id) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT snapshot_parts_workspace_id_snapshot_id_fkey FOREIGN KEY (workspace_id, snapshot_id) REFERENCES public.snapshots(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX snapshot_parts_blob_idx ON public.snapshot_parts USING btree (blob_sha256);
CREATE INDEX snapshot_parts_part_idx ON public.snapshot_parts USING btree (part_id);
CREATE INDEX snapshot_parts_split_idx ON public.snapshot_parts USING btree (snapshot_id, split, part_id);
ALTER TABLE public.snapshot_parts ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see snapshot parts" ON public.snapshot_parts
  FOR SELECT TO authenticated
  USING ((workspace_id IN ( SELECT private.member_workspace_ids() AS member_workspace_ids)));
CREATE TRIGGER snapshot_parts_immutable BEFORE DELETE OR UPDATE ON public.snapshot_parts FOR EACH ROW EXECUTE FUNCTION private.snapshots_immutable();
CREATE TRIGGER snapshot_parts_no_truncate BEFORE TRUNCATE ON public.snapshot_parts FOR EACH STATEMENT EXECUTE FUNCTION private.snapshots_immutable();
CREATE TRIGGER snapshot_parts_sealed AFTER INSERT ON public.snapshot_parts REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION private.snapshot_parts_sealed();
GRANT ALL ON TABLE public.snapshot_parts TO service_role;
GRANT SELECT ON TABLE public.snapshot_parts TO authenticated;

CREATE TABLE public.snapshots (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  dataset_id uuid NOT NULL,
  name text NOT NULL,
  description text DEFAULT ''::text NOT NULL,
  statuses public.part_status[],
  filter text DEFAULT ''::text NOT NULL,
  label_schema_id uuid,
  label_schema_version integer,
  part_count integer NOT NULL,
  face_count bigint NOT NULL,
  checksum text NOT NULL,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  created_xact xid8 DEFAULT pg_current_xact_id() NOT NULL,
  CONSTRAINT snapshots_checksum_check CHECK (checksum ~ '^[0-9a-f]{64}$'::text),
  CONSTRAINT snapshots_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT snapshots_description_check CHECK (char_length(description) <= 4000),
  CONSTRAINT snapshots_face_count_check CHECK (face_count >= 0),
  CONSTRAINT snapshots_filter_check CHECK (char_length(filter) <= 4000),
  CONSTRAINT snapshots_label_schema_id_fkey FOREIGN KEY (label_schema_id) REFERENCES public.label_schemas(id),
  CONSTRAINT snapshots_name_check CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'::text AND lower(name) <> 'diff'::text),
  CONSTRAINT snapshots_part_count_check CHECK (part_count >= 0),
  CONSTRAINT snapshots_pkey PRIMARY KEY (id),
  CONSTRAINT snapshots_workspace_id_dataset_id_fkey FOREIGN KEY (workspace_id, dataset_id) REFERENCES public.datasets(workspace_id, id) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT snapshots_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT snapshots_workspace_id_id_key UNIQUE (workspace_id, id),
  CONSTRAINT snapshots_workspace_id_name_key UNIQUE (workspace_id, name)
);
ALTER TABLE public.snapshots ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see snapshots" ON public.snapshots
  FOR SELECT TO authenticated
  USING ((workspace_id IN ( SELECT private.member_workspace_ids() AS member_workspace_ids)));
CREATE TRIGGER snapshots_audit AFTER INSERT ON public.snapshots FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('snapshot');
CREATE TRIGGER snapshots_immutable BEFORE DELETE OR UPDATE ON public.snapshots FOR EACH ROW EXECUTE FUNCTION private.snapshots_immutable();
CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON public.snapshots FOR EACH STATEMENT EXECUTE FUNCTION private.snapshots_immutable();
GRANT ALL ON TABLE public.snapshots TO service_role;
GRANT SELECT ON TABLE public.snapshots TO authenticated;
COMMENT ON TABLE public.snapshots IS 'Immutable (private.snapshots_immutable, for every role). Made by public.freeze_snapshot. The manifest in storage (snapshots/<id>/manifest.json) is an export of these rows; facet snapshot verify checks they agree.';

CREATE TABLE public.work_time (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  workspace_id uuid NOT NULL,
  part_id uuid NOT NULL,
  user_id uuid NOT NULL,
  session_id uuid NOT NULL,
  active_ms bigint DEFAULT 0 NOT NULL,
  started_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT work_time_active_ms_check CHECK (active_ms >= 0),
  CONSTRAINT work_time_part_id_fkey FOREIGN KEY (part_id) REFERENCES public.parts(id) ON DELETE CASCADE,
  CONSTRAINT work_time_part_id_user_id_session_id_key UNIQUE (part_id, user_id, session_id),
  CONSTRAINT work_time_pkey PRIMARY KEY (id),
  CONSTRAINT work_time_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT work_time_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE,
  CONSTRAINT work_time_workspace_id_part_id_fkey FOREIGN KEY (workspace_id, part_id) REFERENCES public.parts(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX work_time_workspace_user_idx ON public.work_time USING btree (workspace_id, user_id, part_id);
ALTER TABLE public.work_time ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins read the workspace's work time; everyone their own" ON public.work_time
  FOR SELECT TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) OR private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "People add to their own time on parts they hold" ON public.work_time
  FOR UPDATE TO authenticated
  USING (user_id = (( SELECT auth.uid() AS uid)) AND private.holds_for_work_time(part_id))
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND private.holds_for_work_time(part_id));
CREATE POLICY "People record their own time on parts they hold" ON public.work_time
  FOR INSERT TO authenticated
  WITH CHECK (user_id = (( SELECT auth.uid() AS uid)) AND private.holds_for_work_time(part_id));
CREATE TRIGGER work_time_guard BEFORE INSERT OR UPDATE ON public.work_time FOR EACH ROW EXECUTE FUNCTION private.work_time_guard();
GRANT ALL ON TABLE public.work_time TO service_role;
GRANT SELECT, INSERT, UPDATE, REFERENCES, TRIGGER, MAINTAIN ON TABLE public.work_time TO authenticated;

CREATE TABLE public.workspace_blobs (
  workspace_id uuid NOT NULL,
  sha256 text NOT NULL,
  proven_at timestamp with time zone DEFAULT now() NOT NULL,
  proven_by uuid,
  CONSTRAINT workspace_blobs_pkey PRIMARY KEY (workspace_id, sha256),
  CONSTRAINT workspace_blobs_proven_by_fkey FOREIGN KEY (proven_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT workspace_blobs_sha256_fkey FOREIGN KEY (sha256) REFERENCES public.blobs(sha256) ON DELETE CASCADE,
  CONSTRAINT workspace_blobs_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX workspace_blobs_sha_idx ON public.workspace_blobs USING btree (sha256);
ALTER TABLE public.workspace_blobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see the content their workspace holds" ON public.workspace_blobs
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
GRANT ALL ON TABLE public.workspace_blobs TO anon, authenticated, service_role;

CREATE TABLE public.workspace_members (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role public.member_role NOT NULL,
  invited_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  deactivated_at timestamp with time zone,
  deactivated_by uuid,
  CONSTRAINT workspace_members_deactivated_by_fkey FOREIGN KEY (deactivated_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT workspace_members_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT workspace_members_pkey PRIMARY KEY (workspace_id, user_id),
  CONSTRAINT workspace_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT workspace_members_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE
);
CREATE INDEX workspace_members_user_id_idx ON public.workspace_members USING btree (user_id);
ALTER TABLE public.workspace_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins add members" ON public.workspace_members
  FOR INSERT TO authenticated
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins change roles" ON public.workspace_members
  FOR UPDATE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]))
  WITH CHECK (private.has_role(workspace_id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins remove members and members leave" ON public.workspace_members
  FOR DELETE TO authenticated
  USING (private.has_role(workspace_id, '{admin}'::public.member_role[]) OR user_id = (( SELECT auth.uid() AS uid)) AND deactivated_at IS NULL);
CREATE POLICY "Members see who else is in the workspace" ON public.workspace_members
  FOR SELECT TO authenticated
  USING (private.is_member(workspace_id));
CREATE TRIGGER workspace_members_audit AFTER INSERT OR DELETE OR UPDATE ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('member');
CREATE TRIGGER workspace_members_deactivated AFTER UPDATE OF deactivated_at ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.member_deactivated();
CREATE TRIGGER workspace_members_deactivation BEFORE UPDATE ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.member_deactivation();
CREATE TRIGGER workspace_members_identity BEFORE UPDATE OF workspace_id, user_id ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.membership_identity_immutable();
CREATE TRIGGER workspace_members_keep_admin BEFORE DELETE OR UPDATE OF role, deactivated_at ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.keep_an_admin();
CREATE TRIGGER workspace_members_notify_access AFTER DELETE OR UPDATE OF role, deactivated_at ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.notify_access_change();
CREATE TRIGGER workspace_members_touch BEFORE UPDATE ON public.workspace_members FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();
GRANT ALL ON TABLE public.workspace_members TO anon, authenticated, service_role;
COMMENT ON COLUMN public.workspace_members.deactivated_at IS 'Set: the membership is kept (history, attribution) but gives no access: the private.is_member/has_role/... helpers ignore it. Set and cleared by admins (private.member_deactivation).';

CREATE TABLE public.workspaces (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  name text NOT NULL,
  slug text NOT NULL,
  created_by uuid,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT workspaces_created_by_fkey FOREIGN KEY (created_by) REFERENCES auth.users(id) ON DELETE SET NULL,
  CONSTRAINT workspaces_name_check CHECK (char_length(name) >= 1 AND char_length(name) <= 80),
  CONSTRAINT workspaces_pkey PRIMARY KEY (id),
  CONSTRAINT workspaces_slug_check CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'::text),
  CONSTRAINT workspaces_slug_key UNIQUE (slug)
);
ALTER TABLE public.workspaces ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Admins delete their workspace" ON public.workspaces
  FOR DELETE TO authenticated
  USING (private.has_role(id, '{admin}'::public.member_role[]));
CREATE POLICY "Admins rename their workspace" ON public.workspaces
  FOR UPDATE TO authenticated
  USING (private.has_role(id, '{admin}'::public.member_role[]))
  WITH CHECK (private.has_role(id, '{admin}'::public.member_role[]));
CREATE POLICY "Members see their workspaces" ON public.workspaces
  FOR SELECT TO authenticated
  USING (private.is_member(id));
CREATE TRIGGER workspaces_audit AFTER DELETE OR UPDATE ON public.workspaces FOR EACH ROW EXECUTE FUNCTION private.audit_row_change('workspace');
CREATE TRIGGER workspaces_touch BEFORE UPDATE ON public.workspaces FOR EACH ROW EXECUTE FUNCTION private.touch_updated_at();
GRANT ALL ON TABLE public.workspaces TO anon, authenticated, service_role;

-- Functions of public -----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION public.accept_invitation(p_token_hash text)
 RETURNS TABLE(workspace_id uuid, role public.member_role, already_member boolean)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION public.accept_invitation(p_token_hash text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.accept_invitation(p_token_hash text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.claim_next_part(p_workspace_id uuid, p_dataset_id uuid DEFAULT NULL::uuid, p_lease_seconds integer DEFAULT 900)
 RETURNS SETOF public.parts
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
  v_part public.parts;
  v_previous uuid;
  v_full uuid[];
  v_full_name text;
  v_full_max integer;
begin
  if v_uid is null or not private.has_role(p_workspace_id, '{admin,engineer,annotator}') then
    raise exception 'only annotators, engineers and admins of this workspace claim parts' using errcode = '42501';
  end if;
  if p_lease_seconds not between 30 and 3600 then
    raise exception 'lease must be between 30 seconds and one hour' using errcode = '22023';
  end if;
  -- the datasets where the caller holds as many parts as the dataset allows (claimed, or returned to them)
  select coalesce(array_agg(f.dataset_id), '{}') into v_full
  from (
    select h.dataset_id from public.parts h join public.datasets d on d.id = h.dataset_id
    where h.workspace_id = p_workspace_id and h.annotator_id = v_uid and h.status = 'in_progress'
      and (h.returned_at is not null or h.lease_expires_at >= now())
    group by h.dataset_id, d.max_held_parts
    having count(*) >= d.max_held_parts
  ) f;
  select * into v_part from public.parts p
  where p.workspace_id = p_workspace_id
    and (p_dataset_id is null or p.dataset_id = p_dataset_id)
    and p.dataset_id <> all (v_full)
    and (p.status in ('pre_labeled', 'unannotated')
         or (p.status = 'in_progress' and p.returned_at is null
             and p.lease_expires_at is not null and p.lease_expires_at < now()))
    and not exists (select 1 from public.independent_annotations i
                    join public.part_geometry g on g.id = p.geometry_id
                    where i.part_id = p.id and i.annotator_id = v_uid and i.face_signature = g.face_signature)
  order by p.queue_priority, p.created_at, p.id
  limit 1
  for update skip locked;
  if not found then
    -- nothing served: say so when it is the limit, not an empty queue
    select d.name, d.max_held_parts into v_full_name, v_full_max
    from public.datasets d
    where d.id = any (v_full) and (p_dataset_id is null or d.id = p_dataset_id)
      and exists (select 1 from public.parts w where w.dataset_id = d.id and w.status in ('pre_labeled', 'unannotated'))
    order by d.name
    limit 1;
    if v_full_name is not null then
      raise exception 'you already hold % parts of %: submit or release one before claiming another',
        v_full_max, v_full_name using errcode = 'FC011';
    end if;
    return;
  end if;
  v_previous := v_part.annotator_id;
  update public.parts set
    status = 'in_progress',
    annotator_id = v_uid,
    claimed_at = now(),
    lease_expires_at = now() + make_interval(secs => p_lease_seconds),
    claimed_from = case when v_part.status = 'in_progress' then coalesce(v_part.claimed_from, 'unannotated') else v_part.status end
  where id = v_part.id
  returning * into v_part;
  perform private.audit(v_part.workspace_id, 'part.claimed', 'parts', v_part.id::text,
    jsonb_build_object('lease_expires_at', v_part.lease_expires_at, 'expired_claim_of', v_previous));
  return next v_part;
end
$function$;
REVOKE ALL ON FUNCTION public.claim_next_part(p_workspace_id uuid, p_dataset_id uuid, p_lease_seconds integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.claim_next_part(p_workspace_id uuid, p_dataset_id uuid, p_lease_seconds integer) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.create_workspace(p_name text, p_slug text, p_taxonomy jsonb)
 RETURNS public.workspaces
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
  v_ws public.workspaces;
  v_slug text := p_slug;
  v_n integer := 1;
begin
  if v_uid is null then
    raise exception 'sign in to create a workspace' using errcode = '42501';
  end if;
  if private.is_scoped() then
    raise exception 'an API key bound to a workspace cannot create workspaces' using errcode = '42501';
  end if;
  -- serialise creations of the same base slug; then take the first free "-n" suffix
  perform pg_advisory_xact_lock(hashtext('facet.workspace_slug:' || p_slug));
  while exists (select 1 from public.workspaces w where w.slug = v_slug) loop
    v_n := v_n + 1;
    v_slug := left(p_slug, 48 - char_length(v_n::text) - 1);
    v_slug := regexp_replace(v_slug, '-+$', '') || '-' || v_n;
  end loop;
  insert into public.workspaces (name, slug, created_by) values (p_name, v_slug, v_uid) returning * into v_ws;
  insert into public.workspace_members (workspace_id, user_id, role) values (v_ws.id, v_uid, 'admin');
  insert into public.label_schemas (workspace_id, name, version, taxonomy, is_default, created_by)
  values (v_ws.id, 'Default', 1, p_taxonomy, true, v_uid);
  perform private.audit(v_ws.id, 'workspace.created', 'workspaces', v_ws.id::text,
                        jsonb_build_object('name', p_name, 'slug', v_slug));
  return v_ws;
end
$function$;
REVOKE ALL ON FUNCTION public.create_workspace(p_name text, p_slug text, p_taxonomy jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.create_workspace(p_name text, p_slug text, p_taxonomy jsonb) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.erase_person(p_workspace_id uuid, p_user_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
  v_label text := 'Former member ' || substr(md5(gen_random_uuid()::text), 1, 4);
  v_strings text[];
  v_emails text[];
  v_others integer;
  v_counts jsonb;
  v_invitations integer;
begin
  if v_uid is null or not private.has_role(p_workspace_id, '{admin}') then
    raise exception 'only admins of this workspace erase people' using errcode = '42501';
  end if;
  if p_user_id = v_uid then
    raise exception 'you cannot erase yourself here: ask another admin' using errcode = 'FC004';
  end if;
  perform 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = p_user_id for update;
  if not found then
    raise exception 'no such member in this workspace' using errcode = 'FC031';
  end if;
  if exists (select 1 from public.profiles p where p.user_id = p_user_id and p.erased_at is not null) then
    raise exception 'this person''s data was erased already' using errcode = 'FC005';
  end if;
  select count(*) into v_others from public.workspace_members m
  where m.user_id = p_user_id and m.workspace_id <> p_workspace_id;
  if v_others > 0 then
    raise exception 'this person is also a member of % other workspace%: only someone who belongs to no other workspace can be erased here; they must leave or be removed there first',
      v_others, case when v_others = 1 then '' else 's' end
      using errcode = 'FC030';
  end if;

  -- every form of their name and address this database holds
  select array_agg(distinct s) filter (where s is not null and char_length(btrim(s)) >= 2),
         array_agg(distinct lower(s)) filter (where s like '%@%')
  into v_strings, v_emails
  from (
    select u.email::text as s from auth.users u where u.id = p_user_id
    union all select u.raw_user_meta_data ->> k from auth.users u, unnest(array['display_name', 'full_name', 'name']) k
      where u.id = p_user_id
    union all select p.email from public.profiles p where p.user_id = p_user_id
    union all select p.display_name from public.profiles p where p.user_id = p_user_id
    union all select distinct c.author_name from public.comments c where c.author_id = p_user_id
    union all select distinct n.actor_name from public.notifications n where n.actor_id = p_user_id
  ) x;
  v_strings := coalesce(v_strings, '{}');
  v_emails := coalesce(v_emails, '{}');

  -- no access any more, claims back to the queue (and the last-active-admin rule applies)
  update public.workspace_members set deactivated_at = now()
  where workspace_id = p_workspace_id and user_id = p_user_id and deactivated_at is null;

  -- the account: no address, no password, banned, deleted; sessions and keys end
  update auth.users
  set email = null, encrypted_password = null, email_confirmed_at = null, last_sign_in_at = null,
      raw_user_meta_data = jsonb_build_object('display_name', v_label),
      raw_app_meta_data = jsonb_build_object('facet_erased', true),
      banned_until = 'infinity', deleted_at = now()
  where id = p_user_id;
  if to_regclass('auth.identities') is not null then
    execute 'delete from auth.identities where user_id = $1' using p_user_id;
  end if;
  delete from auth.refresh_tokens where user_id = p_user_id::text;
  delete from auth.sessions where user_id = p_user_id;
  update public.profiles set email = '', display_name = v_label, erased_at = now() where user_id = p_user_id;
  update public.api_keys set revoked_at = now() where user_id = p_user_id and revoked_at is null;
  delete from public.notifications where user_id = p_user_id;
  delete from public.part_presence where user_id = p_user_id;
  delete from private.rate_limits where lower(key) = any (v_emails);
  -- invitations addressed to them: revoked, and the address gone
  update public.invitations set email = null, revoked_at = coalesce(revoked_at, now())
  where email = any (v_emails);
  get diagnostics v_invitations = row_count;

  -- last: the append-only copies, including the audit events the statements above just wrote
  v_counts := private.redact_person(p_user_id, v_strings, v_label);
  perform private.audit(p_workspace_id, 'member.erased', 'workspace_members', p_user_id::text,
    jsonb_build_object('user_id', p_user_id, 'label', v_label, 'invitations', v_invitations) || v_counts);
  return v_label;
end
$function$;
REVOKE ALL ON FUNCTION public.erase_person(p_workspace_id uuid, p_user_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.erase_person(p_workspace_id uuid, p_user_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.freeze_snapshot(p_dataset_id uuid, p_name text, p_description text DEFAULT ''::text, p_part_ids uuid[] DEFAULT NULL::uuid[], p_statuses public.part_status[] DEFAULT NULL::public.part_status[], p_filter text DEFAULT ''::text)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_ws uuid;
  v_schema uuid;
  v_id uuid;
begin
  select d.workspace_id, d.label_schema_id into v_ws, v_schema from public.datasets d where d.id = p_dataset_id;
  if v_ws is null or not private.has_role(v_ws, '{admin,ml_engineer}') then
    raise exception 'only ML engineers and admins freeze snapshots of this workspace''s datasets'
      using errcode = '42501';
  end if;
  if exists (select 1 from public.snapshots s where s.workspace_id = v_ws and s.name = p_name) then
    raise exception 'a snapshot named % already exists in this workspace', p_name using errcode = 'FC022';
  end if;

  create temp table if not exists pg_temp.freezing (
    part_id uuid primary key, name text, blob_sha256 text, revision_id uuid, revision_no integer,
    face_signature text, face_count integer, label_schema_id uuid, schema_version integer,
    document_sha256 text, status public.part_status, split text) on commit drop;
  truncate pg_temp.freezing;
  insert into pg_temp.freezing
  select p.id, p.name, r.blob_sha256, r.id, r.revision_no, r.face_signature,
         jsonb_array_length(r.document -> 'labels'), r.label_schema_id, r.schema_version,
         encode(sha256(convert_to(r.document::text, 'UTF8')), 'hex'), p.status, p.split
  from public.parts p
  join public.part_catalog l on l.part_id = p.id
  join public.annotation_revisions r on r.id = l.revision_id
  where p.dataset_id = p_dataset_id
    and (p_part_ids is null or p.id in (select unnest(p_part_ids)))
    and (p_statuses is null or p.status = any (p_statuses));

  insert into public.snapshots (workspace_id, dataset_id, name, description, statuses, filter, label_schema_id,
      label_schema_version, part_count, face_count, checksum, created_by)
  select v_ws, p_dataset_id, p_name, coalesce(p_description, ''), p_statuses, coalesce(p_filter, ''), v_schema,
         (select s.version from public.label_schemas s where s.id = v_schema),
         count(*), coalesce(sum(f.face_count), 0),
         encode(sha256(convert_to(coalesce(string_agg(
           concat_ws(chr(9), f.part_id::text, f.blob_sha256, f.revision_id::text, f.document_sha256,
                     coalesce(f.face_signature, ''), coalesce(f.split, '')),
           chr(10) order by f.part_id::text collate "C"), ''), 'UTF8')), 'hex'),
         (select auth.uid())
  from pg_temp.freezing f
  returning id into v_id;

  insert into public.snapshot_parts (snapshot_id, part_id, workspace_id, name, blob_sha256, revision_id, revision_no,
      face_signature, face_count, label_schema_id, schema_version, document_sha256, status, split)
  select v_id, f.part_id, v_ws, f.name, f.blob_sha256, f.revision_id, f.revision_no, f.face_signature, f.face_count,
         f.label_schema_id, f.schema_version, f.document_sha256, f.status, f.split
  from pg_temp.freezing f;
  truncate pg_temp.freezing;
  return v_id;
end
$function$;
REVOKE ALL ON FUNCTION public.freeze_snapshot(p_dataset_id uuid, p_name text, p_description text, p_part_ids uuid[], p_statuses public.part_status[], p_filter text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.freeze_snapshot(p_dataset_id uuid, p_name text, p_description text, p_part_ids uuid[], p_statuses public.part_status[], p_filter text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.last_operation_runs(ws uuid)
 RETURNS TABLE(kind text, finished_at timestamp with time zone, ok boolean)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select distinct on (r.kind) r.kind, r.finished_at, r.ok
  from private.operation_runs r
  where private.has_role(ws, '{admin}')
  order by r.kind, r.finished_at desc
$function$;
REVOKE ALL ON FUNCTION public.last_operation_runs(ws uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.last_operation_runs(ws uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.last_verify_run(ws uuid)
 RETURNS TABLE(finished_at timestamp with time zone, trigger text, sample integer, ok boolean, blobs_checked integer, artefacts_checked integer, snapshots_checked integer, drift integer)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select r.finished_at, r.trigger, r.sample, r.ok, r.blobs_checked, r.artefacts_checked, r.snapshots_checked,
         r.blobs_mismatched + r.blobs_missing + r.artefacts_mismatched + r.artefacts_missing + r.snapshots_drifted
  from private.verify_runs r
  where private.has_role(ws, '{admin}')
  order by r.finished_at desc
  limit 1
$function$;
REVOKE ALL ON FUNCTION public.last_verify_run(ws uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.last_verify_run(ws uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.member_activity(p_workspace_id uuid)
 RETURNS TABLE(user_id uuid, last_active_at timestamp with time zone, last_seen_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION public.member_activity(p_workspace_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.member_activity(p_workspace_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.open_share_link()
 RETURNS TABLE(link_id uuid, workspace_id uuid, part_id uuid, access text, expires_at timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_link public.share_links := private.current_share_link();
begin
  if v_link.id is null then
    raise exception 'this share link is not valid: it was revoked, it expired, or it never existed'
      using errcode = 'FC009';
  end if;
  update public.share_links set last_used_at = now(), use_count = use_count + 1 where id = v_link.id;
  return query select v_link.id, v_link.workspace_id, v_link.part_id, v_link.access, v_link.expires_at;
end
$function$;
REVOKE ALL ON FUNCTION public.open_share_link() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.open_share_link() TO anon, service_role;

CREATE OR REPLACE FUNCTION public.part_history(p_part_id uuid)
 RETURNS TABLE(id bigint, action text, actor_id uuid, actor_kind text, actor_name text, data jsonb, created_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select e.id, e.action, e.actor_id, e.actor_kind, coalesce(nullif(pr.display_name, ''), pr.email), e.data, e.created_at
  from public.parts p
  join public.audit_events e on e.workspace_id = p.workspace_id
  left join public.profiles pr on pr.user_id = e.actor_id
  where p.id = p_part_id and private.is_member(p.workspace_id)
    and ((e.target_table = 'parts' and e.target_id = p_part_id::text)
         or (e.data ? 'part_id' and e.data ->> 'part_id' = p_part_id::text))
  order by e.created_at, e.id
$function$;
REVOKE ALL ON FUNCTION public.part_history(p_part_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.part_history(p_part_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.part_status_events(p_workspace_id uuid, p_dataset_id uuid, p_after timestamp with time zone, p_before timestamp with time zone)
 RETURNS TABLE(part_id uuid, event_id bigint, created_at timestamp with time zone, from_status text, to_status text, annotator_id uuid, actor_id uuid)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if not private.has_role(p_workspace_id, '{admin}') then
    raise exception 'only admins read the status history' using errcode = '42501';
  end if;
  return query
    with ps as materialized (
      select p.id, p.id::text as ref from public.parts p
      where p.workspace_id = p_workspace_id and (p_dataset_id is null or p.dataset_id = p_dataset_id)
    )
    select ps.id, e.id, e.created_at, e.data ->> 'from', e.data ->> 'to',
           case when e.data ->> 'annotator_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then (e.data ->> 'annotator_id')::uuid end,
           e.actor_id
    from public.audit_events e join ps on ps.ref = e.target_id
    where e.workspace_id = p_workspace_id and e.action = 'part.status_changed' and e.target_table = 'parts'
      and e.created_at >= p_after and e.created_at < p_before;
end
$function$;
REVOKE ALL ON FUNCTION public.part_status_events(p_workspace_id uuid, p_dataset_id uuid, p_after timestamp with time zone, p_before timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.part_status_events(p_workspace_id uuid, p_dataset_id uuid, p_after timestamp with time zone, p_before timestamp with time zone) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.prelabel_acceptance(p_workspace_id uuid, p_dataset_id uuid DEFAULT NULL::uuid)
 RETURNS TABLE(model text, model_version text, feature text, faces bigint, accepted bigint, parts bigint)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  with approved as (
    select p.id from public.parts p
    where p.workspace_id = p_workspace_id and p.status = 'approved'
      and (p_dataset_id is null or p.dataset_id = p_dataset_id)
  ), final as (
    select distinct on (r.part_id) r.part_id, r.document
    from public.annotation_revisions r join approved a on a.id = r.part_id
    order by r.part_id, r.revision_no desc
  ), pre as (
    select distinct on (r.part_id) r.part_id, r.document
    from public.annotation_revisions r join approved a on a.id = r.part_id
    where r.source = 'model'
    order by r.part_id, r.revision_no desc
  ), said as (
    -- each model's own labels when several answered, and the revision's labels as '(combined)'
    select pre.part_id, m.value->>'id' as model, m.value->>'version' as model_version,
           pre.document->'prelabel'->'predictions'->(m.value->>'id') as labels
    from pre cross join lateral jsonb_array_elements(pre.document->'prelabel'->'models') m
    where jsonb_typeof(pre.document->'prelabel'->'predictions') = 'object'
    union all
    select pre.part_id,
           case when jsonb_array_length(pre.document->'prelabel'->'models') = 1
                then pre.document->'prelabel'->'models'->0->>'id' else '(combined)' end,
           case when jsonb_array_length(pre.document->'prelabel'->'models') = 1
                then pre.document->'prelabel'->'models'->0->>'version' else '' end,
           pre.document->'labels'
    from pre where jsonb_typeof(pre.document->'prelabel'->'models') = 'array'
  )
  select s.model, s.model_version, l.label, count(*),
         count(*) filter (where f.label = l.label), count(distinct s.part_id)
  from said s
  join final on final.part_id = s.part_id
  join pre on pre.part_id = s.part_id
  cross join lateral jsonb_array_elements_text(s.labels) with ordinality l(label, i)
  join lateral jsonb_array_elements_text(final.document->'labels') with ordinality f(label, i) on f.i = l.i
  where jsonb_typeof(s.labels) = 'array' and l.label is not null
    and final.document->>'faceSignature' = pre.document->>'faceSignature'
  group by s.model, s.model_version, l.label
  order by s.model, l.label
$function$;
REVOKE ALL ON FUNCTION public.prelabel_acceptance(p_workspace_id uuid, p_dataset_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.prelabel_acceptance(p_workspace_id uuid, p_dataset_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.record_audit_event(p_workspace_id uuid, p_action text, p_target_table text DEFAULT NULL::text, p_target_id text DEFAULT NULL::text, p_data jsonb DEFAULT '{}'::jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if (select auth.uid()) is null then
    raise exception 'sign in to record events' using errcode = '42501';
  end if;
  if p_workspace_id is not null and not private.is_member(p_workspace_id) then
    raise exception 'not a member of this workspace' using errcode = '42501';
  end if;
  if p_action in ('auth.signed_in', 'auth.signed_out', 'auth.signed_out_everywhere') then
    if p_workspace_id is not null or p_target_table is not null then
      raise exception 'sign-in events belong to no workspace' using errcode = '42501';
    end if;
  elsif p_action in ('upload.rejected', 'upload.skipped', 'upload.completed') then
    if p_target_table is distinct from 'datasets' or not exists (
      select 1 from public.datasets d where d.id::text = p_target_id and d.workspace_id = p_workspace_id
    ) then
      raise exception 'upload events are about a dataset of the workspace' using errcode = '42501';
    end if;
  elsif p_action = 'part.submitted' then
    if p_target_table is distinct from 'parts' or not exists (
      select 1 from public.parts p
      where p.id::text = p_target_id and p.workspace_id = p_workspace_id and p.status_changed_at = now()
    ) then
      raise exception 'a submission is recorded with the status change that makes it' using errcode = '42501';
    end if;
  else
    raise exception 'the event % is written by the database itself', p_action using errcode = '42501';
  end if;
  if p_action <> 'part.submitted' and coalesce(p_data, '{}'::jsonb) ? 'part_id' then
    raise exception 'only the database writes events about parts' using errcode = '42501';
  end if;
  perform private.audit(p_workspace_id, p_action, p_target_table, p_target_id, p_data);
end
$function$;
REVOKE ALL ON FUNCTION public.record_audit_event(p_workspace_id uuid, p_action text, p_target_table text, p_target_id text, p_data jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.record_audit_event(p_workspace_id uuid, p_action text, p_target_table text, p_target_id text, p_data jsonb) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.release_expired_claims()
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_count integer;
begin
  with expired as (
    select id from public.parts
    where status = 'in_progress' and lease_expires_at < now() and returned_at is null
    for update skip locked
  )
  update public.parts p set status = coalesce(p.claimed_from, 'unannotated')
  from expired where p.id = expired.id;
  get diagnostics v_count = row_count;
  update public.parts set lease_expires_at = null
  where status = 'in_progress' and lease_expires_at < now() and returned_at is not null;
  return v_count;
end
$function$;
REVOKE ALL ON FUNCTION public.release_expired_claims() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.release_expired_claims() TO service_role;

CREATE OR REPLACE FUNCTION public.release_part(p_part_id uuid)
 RETURNS public.parts
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_part public.parts;
begin
  update public.parts set status = coalesce(claimed_from, 'unannotated')
  where id = p_part_id and status = 'in_progress' and private.in_scope(workspace_id)
    and ((annotator_id = (select auth.uid()) and private.is_member(workspace_id))
         or private.has_role(workspace_id, '{admin}'))
  returning * into v_part;
  if v_part.id is null then
    raise exception 'you do not hold this part' using errcode = 'FC006';
  end if;
  return v_part;
end
$function$;
REVOKE ALL ON FUNCTION public.release_part(p_part_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.release_part(p_part_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.renew_claim(p_part_id uuid, p_lease_seconds integer DEFAULT 900)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_expires timestamptz;
begin
  if p_lease_seconds not between 30 and 3600 then
    raise exception 'lease must be between 30 seconds and one hour' using errcode = '22023';
  end if;
  update public.parts set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  where id = p_part_id and status = 'in_progress' and annotator_id = (select auth.uid())
    and (lease_expires_at is not null or returned_at is not null)
    and private.in_scope(workspace_id)
  returning lease_expires_at into v_expires;
  if v_expires is null then
    raise exception 'you do not hold this part any more' using errcode = 'FC006';
  end if;
  return v_expires;
end
$function$;
REVOKE ALL ON FUNCTION public.renew_claim(p_part_id uuid, p_lease_seconds integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.renew_claim(p_part_id uuid, p_lease_seconds integer) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.request_export(p_snapshot_id uuid, p_format text, p_include_meshes boolean DEFAULT false)
 RETURNS TABLE(export_id uuid, job_id uuid, started boolean)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_ws uuid;
  v_export public.snapshot_exports;
  v_job public.jobs;
begin
  select s.workspace_id into v_ws from public.snapshots s where s.id = p_snapshot_id;
  if v_ws is null or not private.has_role(v_ws, '{admin,ml_engineer}') then
    raise exception 'only ML engineers and admins export this workspace''s snapshots' using errcode = '42501';
  end if;
  insert into public.snapshot_exports (workspace_id, snapshot_id, format, include_meshes, created_by)
  values (v_ws, p_snapshot_id, p_format, coalesce(p_include_meshes, false), (select auth.uid()))
  on conflict (snapshot_id, format, include_meshes) do nothing;
  select * into v_export from public.snapshot_exports e
  where e.snapshot_id = p_snapshot_id and e.format = p_format and e.include_meshes = coalesce(p_include_meshes, false)
  for update;
  select * into v_job from public.jobs j where j.id = v_export.job_id;
  if v_export.completed_at is not null or v_job.status in ('queued', 'running') then
    return query select v_export.id, v_export.job_id, false;
    return;
  end if;
  insert into public.jobs (workspace_id, kind, payload, created_by)
  values (v_ws, 'curation:export', jsonb_build_object('exportId', v_export.id), (select auth.uid()))
  returning * into v_job;
  update public.snapshot_exports e set job_id = v_job.id where e.id = v_export.id;
  return query select v_export.id, v_job.id, true;
end
$function$;
REVOKE ALL ON FUNCTION public.request_export(p_snapshot_id uuid, p_format text, p_include_meshes boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.request_export(p_snapshot_id uuid, p_format text, p_include_meshes boolean) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.request_prelabel_training(p_workspace_id uuid, p_dataset_id uuid)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if not exists (select 1 from public.datasets d where d.id = p_dataset_id and d.workspace_id = p_workspace_id)
     or not private.is_member(p_workspace_id) then
    raise exception 'no such dataset in this workspace' using errcode = 'FC031';
  end if;
  if not private.has_role(p_workspace_id, '{admin,engineer}') then
    raise exception 'only admins and engineers start a training of the learned pre-labeler' using errcode = 'FC004';
  end if;
  return private.queue_training(p_dataset_id, 'manual', (select auth.uid()));
end
$function$;
REVOKE ALL ON FUNCTION public.request_prelabel_training(p_workspace_id uuid, p_dataset_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.request_prelabel_training(p_workspace_id uuid, p_dataset_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.transfer_member_items(p_workspace_id uuid, p_from uuid, p_to uuid)
 RETURNS TABLE(datasets integer, saved_filters integer)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_datasets integer;
  v_filters integer;
begin
  if (select auth.uid()) is null or not private.has_role(p_workspace_id, '{admin}') then
    raise exception 'only admins of this workspace transfer what members own' using errcode = '42501';
  end if;
  if p_from = p_to then
    raise exception 'choose someone else to receive them' using errcode = '22023';
  end if;
  if not exists (select 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = p_from) then
    raise exception 'no such member in this workspace' using errcode = 'FC031';
  end if;
  if not exists (select 1 from public.workspace_members m
                 where m.workspace_id = p_workspace_id and m.user_id = p_to and m.deactivated_at is null) then
    raise exception 'the receiver must be an active member of this workspace' using errcode = '22023';
  end if;
  update public.datasets set created_by = p_to where workspace_id = p_workspace_id and created_by = p_from;
  get diagnostics v_datasets = row_count;
  update public.saved_filters f
  set user_id = p_to,
      name = case when exists (select 1 from public.saved_filters o
                               where o.workspace_id = f.workspace_id and o.user_id = p_to and o.name = f.name)
                  then left(f.name, 72) || ' (moved)' else f.name end
  where f.workspace_id = p_workspace_id and f.user_id = p_from;
  get diagnostics v_filters = row_count;
  perform private.audit(p_workspace_id, 'member.items_transferred', 'workspace_members', p_from::text,
    jsonb_build_object('from_user_id', p_from, 'to_user_id', p_to, 'datasets', v_datasets, 'saved_filters', v_filters));
  return query select v_datasets, v_filters;
end
$function$;
REVOKE ALL ON FUNCTION public.transfer_member_items(p_workspace_id uuid, p_from uuid, p_to uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.transfer_member_items(p_workspace_id uuid, p_from uuid, p_to uuid) TO authenticated, service_role;

-- ====================================================================================================
-- Schema private: helpers of the policies, trigger functions and their steps, internal tables
-- ====================================================================================================

CREATE SCHEMA private;
GRANT USAGE ON SCHEMA private TO anon, authenticated, service_role;

CREATE TABLE private.erasure_marks (
  xact xid8 DEFAULT pg_current_xact_id() NOT NULL,
  CONSTRAINT erasure_marks_pkey PRIMARY KEY (xact)
);
ALTER TABLE private.erasure_marks ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE private.erasure_marks IS 'Transient: a row exists only inside the transaction of private.redact_person (the only writer).';

CREATE TABLE private.event_streams (
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  opened_at timestamp with time zone DEFAULT now() NOT NULL,
  seen_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT event_streams_pkey PRIMARY KEY (id),
  CONSTRAINT event_streams_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE
);
CREATE INDEX event_streams_user_idx ON private.event_streams USING btree (user_id, seen_at);
ALTER TABLE private.event_streams ENABLE ROW LEVEL SECURITY;

CREATE TABLE private.operation_runs (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  kind text NOT NULL,
  finished_at timestamp with time zone DEFAULT now() NOT NULL,
  ok boolean NOT NULL,
  summary jsonb DEFAULT '{}'::jsonb NOT NULL,
  CONSTRAINT operation_runs_kind_check CHECK (kind = ANY (ARRAY['backup'::text, 'gc'::text])),
  CONSTRAINT operation_runs_pkey PRIMARY KEY (id),
  CONSTRAINT operation_runs_summary_check CHECK (jsonb_typeof(summary) = 'object'::text)
);
CREATE INDEX operation_runs_kind_finished_idx ON private.operation_runs USING btree (kind, finished_at DESC);
ALTER TABLE private.operation_runs ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT ON TABLE private.operation_runs TO service_role;

CREATE TABLE private.part_status_transitions (
  from_status public.part_status NOT NULL,
  to_status public.part_status NOT NULL,
  CONSTRAINT part_status_transitions_pkey PRIMARY KEY (from_status, to_status)
);
ALTER TABLE private.part_status_transitions ENABLE ROW LEVEL SECURITY;
-- its rows (reference data written by the migrations):
INSERT INTO private.part_status_transitions (from_status, to_status) VALUES
  ('uploaded', 'processing'),
  ('processing', 'failed'),
  ('processing', 'unannotated'),
  ('failed', 'uploaded'),
  ('unannotated', 'pre_labeled'),
  ('unannotated', 'in_progress'),
  ('pre_labeled', 'in_progress'),
  ('in_progress', 'unannotated'),
  ('in_progress', 'pre_labeled'),
  ('in_progress', 'in_review'),
  ('in_review', 'in_progress'),
  ('in_review', 'approved');

CREATE TABLE private.queue_stats (
  dataset_id uuid NOT NULL,
  queue_order text NOT NULL,
  centers extensions.cube[] DEFAULT '{}'::extensions.cube[] NOT NULL,
  cluster_share real[] DEFAULT '{}'::real[] NOT NULL,
  class_share jsonb DEFAULT '{}'::jsonb NOT NULL,
  approved integer DEFAULT 0 NOT NULL,
  refreshed_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT queue_stats_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES public.datasets(id) ON DELETE CASCADE,
  CONSTRAINT queue_stats_pkey PRIMARY KEY (dataset_id)
);
ALTER TABLE private.queue_stats ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE private.queue_stats TO service_role;

CREATE TABLE private.rate_limits (
  bucket text NOT NULL,
  key text NOT NULL,
  tat timestamp with time zone NOT NULL,
  CONSTRAINT rate_limits_bucket_check CHECK (char_length(bucket) >= 1 AND char_length(bucket) <= 64),
  CONSTRAINT rate_limits_key_check CHECK (char_length(key) >= 1 AND char_length(key) <= 128),
  CONSTRAINT rate_limits_pkey PRIMARY KEY (bucket, key)
);
ALTER TABLE private.rate_limits ENABLE ROW LEVEL SECURITY;

CREATE TABLE private.verify_runs (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  trigger text NOT NULL,
  started_at timestamp with time zone NOT NULL,
  finished_at timestamp with time zone DEFAULT now() NOT NULL,
  sample integer,
  ok boolean NOT NULL,
  blobs_checked integer NOT NULL,
  blobs_mismatched integer NOT NULL,
  blobs_missing integer NOT NULL,
  artefacts_checked integer NOT NULL,
  artefacts_mismatched integer NOT NULL,
  artefacts_missing integer NOT NULL,
  snapshots_checked integer NOT NULL,
  snapshots_drifted integer NOT NULL,
  duration_ms integer NOT NULL,
  report jsonb NOT NULL,
  CONSTRAINT verify_runs_artefacts_checked_check CHECK (artefacts_checked >= 0),
  CONSTRAINT verify_runs_artefacts_mismatched_check CHECK (artefacts_mismatched >= 0),
  CONSTRAINT verify_runs_artefacts_missing_check CHECK (artefacts_missing >= 0),
  CONSTRAINT verify_runs_blobs_checked_check CHECK (blobs_checked >= 0),
  CONSTRAINT verify_runs_blobs_mismatched_check CHECK (blobs_mismatched >= 0),
  CONSTRAINT verify_runs_blobs_missing_check CHECK (blobs_missing >= 0),
  CONSTRAINT verify_runs_check CHECK (ok = ((blobs_mismatched + blobs_missing + artefacts_mismatched + artefacts_missing + snapshots_drifted) = 0)),
  CONSTRAINT verify_runs_duration_ms_check CHECK (duration_ms >= 0),
  CONSTRAINT verify_runs_pkey PRIMARY KEY (id),
  CONSTRAINT verify_runs_sample_check CHECK (sample IS NULL OR sample > 0),
  CONSTRAINT verify_runs_snapshots_checked_check CHECK (snapshots_checked >= 0),
  CONSTRAINT verify_runs_snapshots_drifted_check CHECK (snapshots_drifted >= 0),
  CONSTRAINT verify_runs_trigger_check CHECK (trigger = ANY (ARRAY['cli'::text, 'schedule'::text]))
);
CREATE INDEX verify_runs_finished_idx ON private.verify_runs USING btree (finished_at DESC);
ALTER TABLE private.verify_runs ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, DELETE ON TABLE private.verify_runs TO service_role;

CREATE TABLE private.worker_heartbeats (
  worker_id text NOT NULL,
  hostname text NOT NULL,
  pid integer NOT NULL,
  runner text NOT NULL,
  version text,
  started_at timestamp with time zone DEFAULT now() NOT NULL,
  last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT worker_heartbeats_pkey PRIMARY KEY (worker_id)
);
ALTER TABLE private.worker_heartbeats ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE private.worker_heartbeats TO service_role;

CREATE VIEW private.member_catalog AS
 SELECT part_id,
    workspace_id,
    dataset_id,
    name,
    status,
    split,
    tags,
    created_at,
    status_changed_at,
    face_count,
    surface_types,
    has_thumbnail,
    revision_id,
    revision_no,
    source,
    annotator_id,
    features,
    face_counts,
    instance_counts,
    instance_levels,
    labelled_faces,
    labelled_at
   FROM public.part_catalog c
  WHERE (workspace_id IN ( SELECT private.member_workspace_ids() AS member_workspace_ids));
GRANT SELECT ON TABLE private.member_catalog TO authenticated;
COMMENT ON VIEW private.member_catalog IS 'public.part_catalog rows of the caller''s workspaces (as its policy), as a view whose condition the planner may reorder: the catalog''s filters use their indexes. Read by packages/db/src/curation/catalog.ts only.';

-- Functions of private ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION private.annotation_revision_defaults()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  select p.workspace_id, p.blob_sha256 into new.workspace_id, new.blob_sha256
  from public.parts p where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  select coalesce(max(r.revision_no), 0) + 1 into new.revision_no
  from public.annotation_revisions r where r.part_id = new.part_id;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.annotation_revision_face_checks()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_pre jsonb;
  v_labels jsonb := new.document -> 'labels';
  v_said public.face_check[] := new.face_checks;
  v_out public.face_check[];
begin
  if new.source <> 'human' or jsonb_typeof(v_labels) is distinct from 'array' then
    new.face_checks := null;
    return new;
  end if;
  select p.labels into v_pre from private.prelabel_on(new.part_id, new.face_signature) p;
  if v_pre is null then
    new.face_checks := null;
    return new;
  end if;
  if v_said is not null and cardinality(v_said) <> jsonb_array_length(v_labels) then
    raise exception 'face_checks has % entries for % faces', cardinality(v_said), jsonb_array_length(v_labels)
      using errcode = '22023';
  end if;
  -- one pass over the faces (set-based: an array appended in a loop is copied at every step)
  select array_agg(case
           when l.label is distinct from coalesce(p.label, 'null'::jsonb) then 'changed'
           when v_said[l.i::integer] in ('confirmed', 'seen') then v_said[l.i::integer]
           else 'unseen'
         end::public.face_check order by l.i)
    into v_out
  from jsonb_array_elements(v_labels) with ordinality l(label, i)
  left join jsonb_array_elements(v_pre) with ordinality p(label, i) on p.i = l.i;
  new.face_checks := v_out;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.annotation_revisions_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.parts p where p.id = old.part_id) then
    return old; -- the part itself is being deleted
  end if;
  raise exception 'annotation revisions are append-only: % refused', lower(tg_op)
    using errcode = 'FC003', hint = 'save a new revision instead';
end
$function$;

CREATE OR REPLACE FUNCTION private.annotation_revisions_audit()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.audit(new.workspace_id, 'revision.created', 'annotation_revisions', new.id::text,
    jsonb_build_object('part_id', new.part_id, 'revision_no', new.revision_no, 'source', new.source,
                       'model_assisted', new.model_assisted));
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.annotation_revisions_model_source()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if current_user = 'authenticated' and (new.source = 'model' or new.model_assisted) then
    raise exception 'only the pre-labelling worker writes model revisions' using errcode = 'FC004';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.api_keys_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if current_user = 'authenticated' and (
       (to_jsonb(new) - 'revoked_at') <> (to_jsonb(old) - 'revoked_at') or old.revoked_at is not null
     ) then
    raise exception 'API keys can only be revoked' using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.api_keys_mint_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_parent_id uuid := nullif((select auth.jwt()) ->> 'api_key_id', '')::uuid;
  v_parent public.api_keys;
begin
  if v_parent_id is null then
    if current_user = 'authenticated' then
      new.parent_id := null; -- only a key's own request names it as parent
    end if;
    return new;
  end if;
  select * into v_parent from public.api_keys k
  where k.id = v_parent_id and k.user_id = new.user_id and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now());
  if v_parent.id is null then
    raise exception 'the API key making this request is not valid any more' using errcode = '42501';
  end if;
  if v_parent.workspace_id is not null and new.workspace_id is distinct from v_parent.workspace_id then
    raise exception 'a key bound to a workspace only creates keys bound to the same workspace'
      using errcode = '42501';
  end if;
  if not (new.scopes <@ v_parent.scopes) then
    raise exception 'a key only creates keys with some of its own scopes (%)', array_to_string(v_parent.scopes, ', ')
      using errcode = '42501';
  end if;
  if v_parent.expires_at is not null and (new.expires_at is null or new.expires_at > v_parent.expires_at) then
    new.expires_at := v_parent.expires_at; -- never outlives the key that made it
  end if;
  new.parent_id := v_parent.id;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.api_keys_revoke_children()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  update public.api_keys set revoked_at = new.revoked_at
  where parent_id = new.id and revoked_at is null;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.append_only_with_part()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.parts p where p.id = old.part_id) then
    return old;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op) using errcode = 'FC003';
end
$function$;

CREATE OR REPLACE FUNCTION private.approvals_since_training(p_dataset_id uuid)
 RETURNS integer
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select count(*)::integer from public.parts p
  where p.dataset_id = p_dataset_id and p.status = 'approved'
    and p.status_changed_at > coalesce((
      select max(j.created_at) from public.jobs j
      where j.kind = 'learning:train' and j.payload ->> 'datasetId' = p_dataset_id::text
        and j.workspace_id = p.workspace_id
    ), '-infinity'::timestamptz)
$function$;
REVOKE ALL ON FUNCTION private.approvals_since_training(p_dataset_id uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.audit(p_workspace_id uuid, p_action text, p_target_table text, p_target_id text, p_data jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
  v_kind text := nullif(current_setting('facet.actor_kind', true), '');
  v_ip text := nullif(current_setting('facet.client_ip', true), '');
begin
  insert into public.audit_events (workspace_id, actor_id, actor_kind, action, target_table, target_id, data, ip, user_agent)
  values (
    p_workspace_id, v_uid,
    coalesce(v_kind, case when v_uid is null then 'service' else 'user' end),
    p_action, p_target_table, p_target_id, coalesce(p_data, '{}'::jsonb),
    case when v_ip is null then null else v_ip::inet end,
    left(nullif(current_setting('facet.user_agent', true), ''), 500)
  );
end
$function$;
REVOKE ALL ON FUNCTION private.audit(p_workspace_id uuid, p_action text, p_target_table text, p_target_id text, p_data jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.audit_events_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'UPDATE' and private.erasing()
     and (to_jsonb(new) - '{data,ip,user_agent}'::text[]) = (to_jsonb(old) - '{data,ip,user_agent}'::text[]) then
    return new;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op)
    using errcode = 'FC003', hint = 'write a new row instead';
end
$function$;

CREATE OR REPLACE FUNCTION private.audit_row_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_hidden text[] := case when tg_nargs > 1 then string_to_array(tg_argv[1], ',') else '{}'::text[] end;
  v_row jsonb := coalesce(v_new, v_old);
  v_changed jsonb := '{}'::jsonb;
begin
  if tg_op = 'UPDATE' then
    v_changed := private.changed_columns(v_old, v_new, v_hidden);
    if v_changed = '{}'::jsonb then
      return null;
    end if;
  end if;
  perform private.audit(
    coalesce(v_row ->> 'workspace_id', case when tg_table_name = 'workspaces' then v_row ->> 'id' end)::uuid,
    tg_argv[0] || '.' || case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end,
    tg_table_name,
    coalesce(v_row ->> 'id', v_row ->> 'user_id'),
    case when tg_op = 'UPDATE' then jsonb_build_object('changed', v_changed)
         else jsonb_build_object('row', v_row - v_hidden) end
  );
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.changed_columns(p_old jsonb, p_new jsonb, p_hidden text[] DEFAULT '{}'::text[])
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select coalesce(jsonb_object_agg(k, jsonb_build_object('from', p_old -> k, 'to', p_new -> k)), '{}'::jsonb)
  from jsonb_object_keys(p_new) k
  where k <> all (p_hidden) and k <> 'updated_at' and (p_old -> k) is distinct from (p_new -> k)
$function$;

CREATE OR REPLACE FUNCTION private.close_event_stream(p_id uuid)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
  delete from private.event_streams where id = p_id
$function$;
REVOKE ALL ON FUNCTION private.close_event_stream(p_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.close_event_stream(p_id uuid) TO service_role;

CREATE OR REPLACE FUNCTION private.comments_after()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_part_name text;
  v_parent_author uuid;
  v_user uuid;
  v_op text;
begin
  select p.name into v_part_name from public.parts p where p.id = new.part_id;
  if tg_op = 'INSERT' then
    v_op := 'created';
    foreach v_user in array new.mentions loop
      perform private.notify(new.workspace_id, v_user, 'mention', new.part_id, new.id,
        new.author_name || ' mentioned you on ' || v_part_name || ': ' || left(new.body, 160));
    end loop;
    if new.parent_id is not null then
      select c.author_id into v_parent_author from public.comments c where c.id = new.parent_id;
      if v_parent_author is not null and not (v_parent_author = any (new.mentions)) then
        perform private.notify(new.workspace_id, v_parent_author, 'reply', new.part_id, new.id,
          new.author_name || ' replied on ' || v_part_name || ': ' || left(new.body, 160));
      end if;
    end if;
    perform private.audit(new.workspace_id, 'comment.created', 'comments', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'kind', new.kind, 'parent_id', new.parent_id,
                         'face_index', new.face_index, 'author_name', new.author_name,
                         'share_link_id', new.share_link_id, 'excerpt', left(new.body, 200)));
  elsif new.resolved_at is distinct from old.resolved_at then
    v_op := case when new.resolved_at is null then 'reopened' else 'resolved' end;
    perform private.audit(new.workspace_id, 'comment.' || v_op, 'comments', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'kind', new.kind, 'excerpt', left(new.body, 200)));
  else
    return null;
  end if;
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', new.workspace_id, 'part_id', new.part_id, 'kind', 'comment',
    'comment_id', new.id, 'op', v_op)::text);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.comments_defaults()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
  v_parent public.comments;
  v_face_count integer;
  v_link public.share_links;
begin
  select p.workspace_id, g.face_signature, g.face_count into new.workspace_id, new.face_signature, v_face_count
  from public.parts p left join public.part_geometry g on g.id = p.geometry_id where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  if new.face_index is not null and (v_face_count is null or new.face_index >= v_face_count) then
    raise exception 'face % does not exist on this part (it has % faces)', new.face_index, coalesce(v_face_count, 0)
      using errcode = '22023';
  end if;
  if new.face_index is null then
    new.face_signature := null;
  end if;
  if new.review_id is not null and not exists (
    select 1 from public.part_reviews pr where pr.id = new.review_id and pr.part_id = new.part_id
  ) then
    raise exception 'a review note belongs to a review of the same part' using errcode = '22023';
  end if;
  select max(r.revision_no) into new.revision_no from public.annotation_revisions r where r.part_id = new.part_id;
  if new.parent_id is not null then
    select * into v_parent from public.comments c where c.id = new.parent_id;
    if v_parent.part_id is distinct from new.part_id then
      raise exception 'a reply belongs to the same part as its comment' using errcode = '22023';
    end if;
    if v_parent.parent_id is not null then
      raise exception 'reply to the comment that starts the thread' using errcode = '22023';
    end if;
  end if;
  new.body := btrim(new.body);
  new.resolved_at := null;
  new.resolved_by := null;
  -- the statement's time, not the transaction's: a review's notes keep the order they were written in
  new.created_at := clock_timestamp();
  if v_uid is not null then
    new.author_id := v_uid;
    new.share_link_id := null;
    select coalesce(nullif(pr.display_name, ''), pr.email) into new.author_name
    from public.profiles pr where pr.user_id = v_uid;
    new.mentions := private.mentioned_members(new.workspace_id, new.body);
  else
    -- a guest with a share link: named by what they typed, mentions nobody
    v_link := private.current_share_link();
    new.author_id := null;
    new.share_link_id := v_link.id;
    if char_length(btrim(coalesce(new.author_name, ''))) = 0 then
      raise exception 'say who you are: a name is needed to comment as a guest' using errcode = '22023';
    end if;
    new.author_name := left(btrim(new.author_name), 100) || ' (guest)';
    new.mentions := '{}';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.comments_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if private.erasing() then
    if (to_jsonb(new) - '{author_name,body}'::text[]) <> (to_jsonb(old) - '{author_name,body}'::text[]) then
      raise exception 'the erasure changes names and texts only' using errcode = 'FC005';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - '{resolved_at,resolved_by}'::text[]) <> (to_jsonb(old) - '{resolved_at,resolved_by}'::text[]) then
    raise exception 'a comment cannot be edited; reply to it instead' using errcode = 'FC005';
  end if;
  if old.parent_id is not null and new.resolved_at is distinct from old.resolved_at then
    raise exception 'resolve the thread, not a reply' using errcode = '22023';
  end if;
  if new.resolved_at is not null and old.resolved_at is null then
    new.resolved_at := now();
    new.resolved_by := (select auth.uid());
  elsif new.resolved_at is null then
    new.resolved_by := null;
  else
    new.resolved_at := old.resolved_at;
    new.resolved_by := old.resolved_by;
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.current_share_link()
 RETURNS public.share_links
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select l.* from public.share_links l
  where l.token_hash = encode(sha256(convert_to(nullif(auth.jwt() ->> 'share_token', ''), 'UTF8')), 'hex')
    and l.revoked_at is null and l.expires_at > now()
$function$;
REVOKE ALL ON FUNCTION private.current_share_link() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.current_share_link() TO anon, authenticated, service_role;

CREATE OR REPLACE FUNCTION private.dataset_queue_settings(d public.datasets)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select jsonb_build_object('prelabel', d.prelabel, 'queue_order', d.queue_order,
                            'required_annotations', d.required_annotations, 'max_held_parts', d.max_held_parts,
                            -- below it, pre-labelled faces must be confirmed before submission (face checks)
                            'confirm_below', d.confirm_below,
                            -- learned pre-labels (this migration)
                            'learned_prelabel', d.learned_prelabel, 'retrain_after', d.retrain_after)
$function$;

CREATE OR REPLACE FUNCTION private.datasets_before_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  -- 1. a new dataset's queue settings: defaults unless an admin or an engineer sets them
  new := private.datasets_queue_settings_guard(null, new);
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.datasets_before_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  -- 1. who may change the labelling queue's settings
  new := private.datasets_queue_settings_guard(old, new);
  -- 2. updated_at (was the trigger datasets_touch)
  new.updated_at := now();
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.datasets_queue_order()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform private.refresh_queue_priorities(new.id);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.datasets_queue_settings_guard(old public.datasets, new public.datasets)
 RETURNS public.datasets
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_before jsonb;
begin
  if current_user <> 'authenticated' or private.has_role(new.workspace_id, '{admin,engineer}') then
    return new;
  end if;
  if old.id is null then
    -- what the columns default to, i.e. a dataset made without naming them (dataset-settings.db.test.ts
    -- creates one so as an ML engineer: a default changed without this line fails it)
    v_before := private.dataset_queue_settings(jsonb_populate_record(new, jsonb_build_object(
      'prelabel', true, 'queue_order', 'least_confident', 'required_annotations', 1, 'max_held_parts', 3,
      'confirm_below', 0.6, 'learned_prelabel', false, 'retrain_after', 25)));
  else
    v_before := private.dataset_queue_settings(old);
  end if;
  if private.dataset_queue_settings(new) is distinct from v_before then
    raise exception 'only admins and engineers configure a dataset''s labelling queue (pre-labelling, learned pre-labels and retraining, queue order, annotations per part, parts held at once, the confidence below which pre-labels are confirmed)'
      using errcode = 'FC004';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.dispatch_job()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if to_regprocedure('graphile_worker.add_job(text, json, text, timestamp with time zone, integer, text, integer, text[], text)') is not null then
    execute 'select graphile_worker.add_job($1, $2, job_key => $3, max_attempts => $4)'
      using new.kind, json_build_object('jobId', new.id), new.id::text, new.max_attempts;
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.erase_auth_extras()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION private.erase_auth_extras() FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.erasing()
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (select 1 from private.erasure_marks e where e.xact = pg_current_xact_id())
$function$;
GRANT EXECUTE ON FUNCTION private.erasing() TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.event_streams_prune(p_live_seconds integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
  with gone as (
    delete from private.event_streams where seen_at < now() - make_interval(secs => p_live_seconds) returning 1
  )
  select count(*)::integer from gone
$function$;
REVOKE ALL ON FUNCTION private.event_streams_prune(p_live_seconds integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.event_streams_prune(p_live_seconds integer) TO service_role;

CREATE OR REPLACE FUNCTION private.face_majority(p_part_id uuid, p_face_signature text)
 RETURNS TABLE(face integer, label text, votes integer, raters integer, tied boolean)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  with ann as (
    select r.document -> 'labels' as labels
    from public.independent_annotations i join public.annotation_revisions r on r.id = i.revision_id
    where i.part_id = p_part_id and i.face_signature = p_face_signature
      and jsonb_typeof(r.document -> 'labels') = 'array'
  ), counted as (
    select (e.i - 1)::integer as face, e.label, count(*)::integer as n
    from ann cross join lateral jsonb_array_elements_text(ann.labels) with ordinality e(label, i)
    where e.label is not null
    group by e.i, e.label
  ), ranked as (
    select c.face, c.label, c.n,
           row_number() over (partition by c.face order by c.n desc, c.label collate "C") as place,
           count(*) over (partition by c.face, c.n) as sharing,
           sum(c.n) over (partition by c.face) as raters
    from counted c
  )
  select f.face, r.label, coalesce(r.n, 0), coalesce(r.raters, 0)::integer, coalesce(r.sharing > 1, false)
  from generate_series(0, (select coalesce(max(jsonb_array_length(ann.labels)), 0) - 1 from ann)) f(face)
  left join ranked r on r.face = f.face and r.place = 1
  order by f.face
$function$;
REVOKE ALL ON FUNCTION private.face_majority(p_part_id uuid, p_face_signature text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.face_majority(p_part_id uuid, p_face_signature text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.has_role(ws uuid, roles public.member_role[])
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.role = any (roles)
      and m.deactivated_at is null and private.in_scope(ws)
  )
$function$;
GRANT EXECUTE ON FUNCTION private.has_role(ws uuid, roles public.member_role[]) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.has_role_anywhere(roles public.member_role[])
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.workspace_members m
    where m.user_id = (select auth.uid()) and m.role = any (roles) and m.deactivated_at is null
      and private.in_scope(m.workspace_id)
  )
$function$;
GRANT EXECUTE ON FUNCTION private.has_role_anywhere(roles public.member_role[]) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.holds_for_work_time(p_part_id uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.parts p
    where p.id = p_part_id and p.annotator_id = (select auth.uid())
      and private.has_role(p.workspace_id, '{admin,engineer,annotator}')
      and (p.status = 'in_progress'
           or (p.status = 'in_review' and p.status_changed_at > now() - interval '2 minutes'))
  )
$function$;
REVOKE ALL ON FUNCTION private.holds_for_work_time(p_part_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.holds_for_work_time(p_part_id uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.in_scope(ws uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select (s.request is null or ws = s.request) and (s.key is null or ws = s.key)
  from (select nullif(current_setting('facet.workspace_id', true), '')::uuid as request,
               nullif((select auth.jwt()) ->> 'facet_workspace_id', '')::uuid as key) s
$function$;
GRANT EXECUTE ON FUNCTION private.in_scope(ws uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.instance_levels(p_counts jsonb)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select coalesce(array_agg(c.key || ':' || n order by c.key, n), '{}')
  from jsonb_each_text(p_counts) c, generate_series(1, least(c.value::int, 20)) n
$function$;

CREATE OR REPLACE FUNCTION private.is_member(ws uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.deactivated_at is null
      and private.in_scope(ws)
  )
$function$;
GRANT EXECUTE ON FUNCTION private.is_member(ws uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.is_scoped()
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select nullif(current_setting('facet.workspace_id', true), '') is not null
      or nullif((select auth.jwt()) ->> 'facet_workspace_id', '') is not null
$function$;
GRANT EXECUTE ON FUNCTION private.is_scoped() TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.iso_time(p_at timestamp with time zone)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$function$;

CREATE OR REPLACE FUNCTION private.jobs_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if current_user = 'authenticated' and (
       new.status <> 'canceled' or old.status not in ('queued', 'running')
       or (to_jsonb(new) - array['status', 'updated_at', 'finished_at']) <> (to_jsonb(old) - array['status', 'updated_at', 'finished_at'])
     ) then
    raise exception 'jobs can only be canceled while queued or running' using errcode = 'FC004';
  end if;
  if new.status = 'canceled' and old.status <> 'canceled' then
    new.finished_at := coalesce(new.finished_at, now());
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.keep_an_admin()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if old.role <> 'admin' or old.deactivated_at is not null
     or (tg_op = 'UPDATE' and new.role = 'admin' and new.deactivated_at is null) then
    return coalesce(new, old);
  end if;
  -- Lock the workspace row so that removals of admins are serialised per workspace: two admins
  -- demoting each other at the same time must not both succeed (each would still see the other).
  -- Removing members because the workspace itself is being deleted is fine (the row is gone).
  perform 1 from public.workspaces w where w.id = old.workspace_id for no key update;
  if not found then
    return coalesce(new, old);
  end if;
  if not exists (
    select 1 from public.workspace_members m
    where m.workspace_id = old.workspace_id and m.role = 'admin' and m.user_id <> old.user_id
      and m.deactivated_at is null
  ) then
    raise exception 'a workspace needs at least one admin who is active: make another member admin first'
      using errcode = 'FC002';
  end if;
  return coalesce(new, old);
end
$function$;

CREATE OR REPLACE FUNCTION private.label_schema_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if new.taxonomy is distinct from old.taxonomy or new.version <> old.version
     or new.workspace_id <> old.workspace_id or new.name <> old.name then
    raise exception 'label schema versions are immutable: create version % instead', old.version + 1
      using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.label_schema_mapped_part_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_map public.label_schema_mappings;
begin
  if tg_op = 'UPDATE' then
    raise exception 'a mapped part record never changes' using errcode = 'FC005';
  end if;
  select * into v_map from public.label_schema_mappings m where m.to_schema_id = new.to_schema_id;
  if not exists (select 1 from public.parts p where p.id = new.part_id and p.workspace_id = v_map.workspace_id)
     or new.workspace_id <> v_map.workspace_id then
    raise exception 'the part is not in the mapping''s workspace' using errcode = 'FC005';
  end if;
  if not exists (select 1 from public.annotation_revisions r where r.id = new.from_revision_id
                 and r.part_id = new.part_id
                 and (r.label_schema_id = v_map.from_schema_id or r.label_schema_id is null)) then
    raise exception 'the mapping reads a revision of this part made under the version it maps from'
      using errcode = 'FC005';
  end if;
  if new.revision_id is not null and not exists (
       select 1 from public.annotation_revisions r where r.id = new.revision_id and r.part_id = new.part_id
       and r.label_schema_id = v_map.to_schema_id) then
    raise exception 'the mapping writes a revision of this part under the version it maps to'
      using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.label_schema_mapping_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_from public.label_schemas;
  v_to public.label_schemas;
begin
  if tg_op = 'UPDATE' then
    raise exception 'a label schema mapping never changes: make another version instead' using errcode = 'FC005';
  end if;
  select * into v_from from public.label_schemas s where s.id = new.from_schema_id;
  select * into v_to from public.label_schemas s where s.id = new.to_schema_id;
  if v_from.name <> v_to.name or v_to.version <= v_from.version then
    raise exception 'a mapping leads from a version of a schema to a later version of the same schema (% v% -> % v%)',
      v_from.name, v_from.version, v_to.name, v_to.version
      using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.labels_in_schema(p_labels jsonb, p_from uuid, p_to uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION private.labels_in_schema(p_labels jsonb, p_from uuid, p_to uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.labels_in_schema(p_labels jsonb, p_from uuid, p_to uuid) TO service_role;

CREATE OR REPLACE FUNCTION private.member_deactivated()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_released integer := 0;
begin
  if new.deactivated_at is not null and old.deactivated_at is null then
    update public.parts set status = coalesce(claimed_from, 'unannotated')
    where workspace_id = new.workspace_id and annotator_id = new.user_id and status = 'in_progress';
    get diagnostics v_released = row_count;
    delete from public.part_presence where workspace_id = new.workspace_id and user_id = new.user_id;
    perform private.audit(new.workspace_id, 'member.deactivated', 'workspace_members', new.user_id::text,
      jsonb_build_object('user_id', new.user_id, 'released_parts', v_released));
  elsif new.deactivated_at is null and old.deactivated_at is not null then
    perform private.audit(new.workspace_id, 'member.reactivated', 'workspace_members', new.user_id::text,
      jsonb_build_object('user_id', new.user_id));
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.member_deactivation()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
begin
  if new.deactivated_at is not distinct from old.deactivated_at then
    new.deactivated_by := old.deactivated_by;
    return new;
  end if;
  if new.deactivated_at is not null and old.deactivated_at is not null then
    new.deactivated_at := old.deactivated_at;
    new.deactivated_by := old.deactivated_by;
    return new;
  end if;
  if new.deactivated_at is not null then
    if v_uid is not null and new.user_id = v_uid then
      raise exception 'you cannot deactivate yourself: ask another admin' using errcode = 'FC004';
    end if;
    new.deactivated_at := now();
    new.deactivated_by := v_uid;
  else
    if exists (select 1 from public.profiles p where p.user_id = new.user_id and p.erased_at is not null) then
      raise exception 'this person''s data was erased: they cannot be reactivated' using errcode = 'FC004';
    end if;
    new.deactivated_by := null;
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.member_role(ws uuid)
 RETURNS public.member_role
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select m.role from public.workspace_members m
  where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.deactivated_at is null
    and private.in_scope(ws)
$function$;
GRANT EXECUTE ON FUNCTION private.member_role(ws uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.member_workspace_ids()
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select m.workspace_id
  from public.workspace_members m
  where m.user_id = (select auth.uid()) and m.deactivated_at is null and private.in_scope(m.workspace_id)
$function$;
REVOKE ALL ON FUNCTION private.member_workspace_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.member_workspace_ids() TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.membership_identity_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if new.workspace_id <> old.workspace_id or new.user_id <> old.user_id then
    raise exception 'a membership cannot move to another workspace or user: remove it and add a new one'
      using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.mentioned_members(p_workspace_id uuid, p_body text)
 RETURNS uuid[]
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  with tokens as (
    select distinct lower(rtrim(m[1], '.-_')) as token
    from regexp_matches(p_body, '(?:^|[^A-Za-z0-9._%+-])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)', 'g') as m
  )
  select coalesce(array_agg(distinct wm.user_id order by wm.user_id), '{}')
  from tokens t
  join public.profiles pr on lower(pr.email) = t.token or lower(split_part(pr.email, '@', 1)) = t.token
  join public.workspace_members wm on wm.user_id = pr.user_id and wm.workspace_id = p_workspace_id
$function$;
REVOKE ALL ON FUNCTION private.mentioned_members(p_workspace_id uuid, p_body text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.notifications_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if private.erasing() then
    if (to_jsonb(new) - '{actor_name,summary}'::text[]) <> (to_jsonb(old) - '{actor_name,summary}'::text[]) then
      raise exception 'the erasure changes names and texts only' using errcode = 'FC005';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - 'read_at') <> (to_jsonb(old) - 'read_at') then
    raise exception 'a notification can only be marked read or unread' using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.notify(p_workspace_id uuid, p_user_id uuid, p_kind text, p_part_id uuid, p_comment_id uuid, p_summary text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION private.notify(p_workspace_id uuid, p_user_id uuid, p_kind text, p_part_id uuid, p_comment_id uuid, p_summary text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.notify_access_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform pg_notify('facet_events', jsonb_build_object(
    'kind', 'access', 'workspace_id', coalesce(new.workspace_id, old.workspace_id),
    'user_id', coalesce(new.user_id, old.user_id))::text);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.notify_presence()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_row public.part_presence;
begin
  if tg_op = 'DELETE' then v_row := old; else v_row := new; end if;
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', v_row.workspace_id,
    'part_id', v_row.part_id,
    'kind', 'presence',
    'user_id', v_row.user_id,
    'op', case when tg_op = 'DELETE' then 'leave' else 'join' end
  )::text);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.notify_revision()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', new.workspace_id,
    'part_id', new.part_id,
    'kind', 'revision',
    'revision_no', new.revision_no,
    'author_id', new.author_id
  )::text);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.open_event_stream(p_id uuid, p_user_id uuid, p_cap integer, p_live_seconds integer)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform pg_advisory_xact_lock(hashtext('facet.event_streams:' || p_user_id::text));
  delete from private.event_streams
  where user_id = p_user_id and seen_at < now() - make_interval(secs => p_live_seconds);
  if (select count(*) from private.event_streams where user_id = p_user_id) >= p_cap then
    return false;
  end if;
  insert into private.event_streams (id, user_id) values (p_id, p_user_id);
  return true;
end
$function$;
REVOKE ALL ON FUNCTION private.open_event_stream(p_id uuid, p_user_id uuid, p_cap integer, p_live_seconds integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.open_event_stream(p_id uuid, p_user_id uuid, p_cap integer, p_live_seconds integer) TO service_role;

CREATE OR REPLACE FUNCTION private.part_catalog_of_geometry()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  update public.part_catalog c set face_count = new.face_count, surface_types = coalesce(new.surface_types, '{}'),
         has_thumbnail = new.thumbnail_key is not null
  from public.parts p where p.geometry_id = new.id and c.part_id = p.id;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.part_catalog_of_revision()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  update public.part_catalog c set
    revision_id = new.id, revision_no = new.revision_no, source = new.source,
    annotator_id = case when new.source = 'human' then new.author_id else c.annotator_id end,
    -- (unlabelled faces are nulls: not a class)
    features = coalesce((select array_agg(distinct f order by f)
                         from jsonb_array_elements_text(new.document -> 'labels') f where f is not null), '{}'),
    face_counts = coalesce((select jsonb_object_agg(f, n) from (
                    select f, count(*) n from jsonb_array_elements_text(new.document -> 'labels') f
                    where f is not null group by f) x), '{}'),
    instance_counts = coalesce((select jsonb_object_agg(f, n) from (
                        select i ->> 'feature' f, count(*) n
                        from jsonb_array_elements(coalesce(new.document -> 'instances', '[]')) i
                        where i ->> 'feature' is not null group by 1) x), '{}'),
    labelled_faces = (select count(*) from jsonb_array_elements(new.document -> 'labels') f where f <> 'null'::jsonb),
    labelled_at = new.created_at
  where c.part_id = new.part_id and (c.revision_no is null or c.revision_no < new.revision_no);
  update public.part_catalog c set instance_levels = private.instance_levels(c.instance_counts)
  where c.part_id = new.part_id and c.revision_id = new.id;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.part_learning_priority(p_part_id uuid, p_dataset_id uuid, p_geometry_id uuid, p_order text)
 RETURNS real
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_stats private.queue_stats;
  v_share real;
begin
  select * into v_stats from private.queue_stats s where s.dataset_id = p_dataset_id;
  if v_stats.dataset_id is null or v_stats.queue_order <> p_order then
    return 0;
  end if;
  if p_order = 'most_novel' then
    select v_stats.cluster_share[c.k] into v_share
    from public.part_geometry g
    cross join lateral (
      select u.k from unnest(v_stats.centers) with ordinality u(c, k)
      order by u.c operator(extensions.<->) extensions.cube(g.shape_descriptor::float8[]) limit 1
    ) c
    where g.id = p_geometry_id and g.shape_descriptor is not null;
  else
    select min(coalesce((v_stats.class_share ->> l.label)::real, 0)) into v_share
    from jsonb_array_elements_text(private.prelabel_labels(p_part_id)) l(label);
  end if;
  return coalesce(v_share, 0);
end
$function$;
REVOKE ALL ON FUNCTION private.part_learning_priority(p_part_id uuid, p_dataset_id uuid, p_geometry_id uuid, p_order text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.part_learning_priority(p_part_id uuid, p_dataset_id uuid, p_geometry_id uuid, p_order text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.part_presence_defaults()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  select p.workspace_id into new.workspace_id from public.parts p where p.id = new.part_id;
  if new.workspace_id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.part_queue_priority(p_dataset_id uuid, p_confidence real)
 RETURNS real
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select case when d.queue_order = 'least_confident' then coalesce(p_confidence, 0) else 0 end
  from public.datasets d where d.id = p_dataset_id
$function$;

CREATE OR REPLACE FUNCTION private.part_reviews_after()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_part_name text;
begin
  select p.name into v_part_name from public.parts p where p.id = new.part_id;
  perform private.audit(new.workspace_id, 'part.reviewed', 'part_reviews', new.id::text,
    jsonb_build_object('part_id', new.part_id, 'decision', new.decision, 'revision_no', new.revision_no,
                       'annotator_id', new.annotator_id, 'summary', left(new.summary, 500)));
  perform private.notify(new.workspace_id, new.annotator_id,
    case new.decision when 'approved' then 'review_approved' else 'review_rejected' end,
    new.part_id, null,
    case new.decision when 'approved' then v_part_name || ' was approved'
         else v_part_name || ' came back with review notes' end
    || coalesce(': ' || left(new.summary, 160), ''));
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.part_reviews_defaults()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_part public.parts;
  v_revision public.annotation_revisions;
begin
  select * into v_part from public.parts p where p.id = new.part_id;
  if v_part.id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  select * into v_revision from public.annotation_revisions r where r.id = new.revision_id;
  if v_revision.part_id is distinct from new.part_id then
    raise exception 'the reviewed revision belongs to another part' using errcode = '22023';
  end if;
  if exists (select 1 from public.annotation_revisions r
             where r.part_id = new.part_id and r.revision_no > v_revision.revision_no) then
    raise exception 'a decision is about the latest revision (% is not)', v_revision.revision_no using errcode = 'FC004';
  end if;
  if exists (select 1 from public.part_reviews pr where pr.part_id = new.part_id and pr.created_at = now()) then
    raise exception 'this status change has its decision already' using errcode = 'FC004';
  end if;
  if v_part.status::text <> (case new.decision when 'approved' then 'approved' else 'in_progress' end)
     or v_part.status_changed_at <> now() then
    raise exception 'a review decision is recorded with the status change it makes' using errcode = 'FC004';
  end if;
  new.workspace_id := v_part.workspace_id;
  new.annotator_id := v_part.annotator_id;
  new.revision_no := v_revision.revision_no;
  new.reviewer_id := coalesce((select auth.uid()), new.reviewer_id);
  new.created_at := now();
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_after_approval(old public.parts, new public.parts)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_after integer;
  v_learning boolean;
  v_order text;
  v_approved integer;
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_after_approval runs in the parts triggers only' using errcode = '42501';
  end if;
  select d.retrain_after, d.learned_prelabel, d.queue_order into v_after, v_learning, v_order
  from public.datasets d where d.id = new.dataset_id;
  if v_learning and not private.training_pending(new.dataset_id)
     and private.approvals_since_training(new.dataset_id) >= v_after then
    begin
      perform private.queue_training(new.dataset_id, 'auto', null);
    exception when sqlstate 'FC003' then
      -- another approval queued it meanwhile: one training is enough
      null;
    end;
  end if;
  if v_order in ('most_novel', 'rare_classes') then
    select count(*) into v_approved from public.parts p where p.dataset_id = new.dataset_id and p.status = 'approved';
    if v_approved - coalesce((select s.approved from private.queue_stats s where s.dataset_id = new.dataset_id), 0)
       >= greatest(10, v_approved / 10) then
      perform private.refresh_queue_priorities(new.dataset_id);
    end if;
  end if;
end
$function$;
REVOKE ALL ON FUNCTION private.parts_after_approval(old public.parts, new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_after_approval(old public.parts, new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.parts_after_delete()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform private.parts_audit_status(old, null);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_after_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform private.parts_audit_status(null, new);
  perform private.parts_catalog(new);
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_after_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  -- 1. the status change in the audit log
  if new.status is distinct from old.status then
    perform private.parts_audit_status(old, new);
  end if;
  -- 2. edits that are not status changes
  if (old.name, old.dataset_id, old.split, old.tags, old.review_notes)
     is distinct from (new.name, new.dataset_id, new.split, new.tags, new.review_notes) then
    perform private.parts_audit_edit(old, new);
  end if;
  -- 3. the live pages
  if old.status is distinct from new.status or old.annotator_id is distinct from new.annotator_id
     or old.lease_expires_at is distinct from new.lease_expires_at then
    perform private.parts_notify(old, new);
  end if;
  -- 4. the catalog's row
  if (old.name, old.status, old.split, old.tags, old.status_changed_at, old.dataset_id, old.geometry_id)
     is distinct from (new.name, new.status, new.split, new.tags, new.status_changed_at, new.dataset_id, new.geometry_id)
  then
    perform private.parts_catalog(new);
  end if;
  -- 5. an approval: retraining and the learning queue orders (20261206013500)
  if new.status = 'approved' and old.status is distinct from 'approved' then
    perform private.parts_after_approval(old, new);
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_audit_edit(old public.parts, new public.parts)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_changed jsonb := private.changed_columns(to_jsonb(old), to_jsonb(new));
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_audit_edit runs in the parts triggers only' using errcode = '42501';
  end if;
  if v_changed = '{}'::jsonb then
    return;
  end if;
  perform private.audit(new.workspace_id, 'part.updated', 'parts', new.id::text,
    jsonb_build_object('changed', v_changed));
end
$function$;
REVOKE ALL ON FUNCTION private.parts_audit_edit(old public.parts, new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_audit_edit(old public.parts, new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.parts_audit_status(old public.parts, new public.parts)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_audit_status runs in the parts triggers only' using errcode = '42501';
  end if;
  if old.id is null then
    perform private.audit(new.workspace_id, 'part.created', 'parts', new.id::text,
      jsonb_build_object('name', new.name, 'blob_sha256', new.blob_sha256, 'dataset_id', new.dataset_id));
  elsif new.id is null then
    perform private.audit(old.workspace_id, 'part.deleted', 'parts', old.id::text,
      jsonb_build_object('name', old.name, 'status', old.status));
  elsif new.status is distinct from old.status then
    perform private.audit(new.workspace_id, 'part.status_changed', 'parts', new.id::text,
      jsonb_build_object('from', old.status, 'to', new.status, 'annotator_id', new.annotator_id));
  end if;
end
$function$;
REVOKE ALL ON FUNCTION private.parts_audit_status(old public.parts, new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_audit_status(old public.parts, new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.parts_before_insert()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  new := private.parts_insert_guard(null, new);
  new := private.parts_queue_priority(null, new);
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_before_update()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  -- 1. identity, the status machine, who may write what, the consequences of a transition
  new := private.parts_guard(old, new);
  -- 2. the queue order follows the pre-label's confidence and the dataset
  new := private.parts_queue_priority(old, new);
  -- 3. review rules (returned_at; nobody decides on labels they saved)
  new := private.parts_review_consequences(old, new);
  -- 4. a submission needs every face labelled (who may submit was decided in 1) ...
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_complete(old, new);
  end if;
  -- 5. ... and every unsure pre-labelled face changed or confirmed
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_checked(old, new);
  end if;
  -- 6. consensus: record the annotation; back to the queue, or to review with the majority
  if old.status = 'in_progress' and new.status = 'in_review' then
    new := private.parts_submission_consensus(old, new);
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_catalog(new public.parts)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_catalog runs in the parts triggers only' using errcode = '42501';
  end if;
  insert into public.part_catalog as c (part_id, workspace_id, dataset_id, name, status, split, tags, created_at,
      status_changed_at, face_count, surface_types, has_thumbnail)
  select new.id, new.workspace_id, new.dataset_id, new.name, new.status, new.split, new.tags, new.created_at,
         new.status_changed_at, coalesce(g.face_count, -1), coalesce(g.surface_types, '{}'), g.thumbnail_key is not null
  from (select 1) one left join public.part_geometry g on g.id = new.geometry_id
  on conflict (part_id) do update set dataset_id = excluded.dataset_id, name = excluded.name,
    status = excluded.status, split = excluded.split, tags = excluded.tags,
    status_changed_at = excluded.status_changed_at, face_count = excluded.face_count,
    surface_types = excluded.surface_types, has_thumbnail = excluded.has_thumbnail;
end
$function$;
REVOKE ALL ON FUNCTION private.parts_catalog(new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_catalog(new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.parts_guard(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_uid uuid := (select auth.uid());
  v_role public.member_role;
  v_direct boolean := current_user = 'authenticated';
  v_allowed text[];
  -- set below by this step, whatever the caller wrote; everything else a user writes is checked.
  -- (Who holds or reviewed a part, and its lease, are written only here and by the claim functions:
  -- a user who could set annotator_id could hand a part to someone else and approve their own work.)
  v_keep text[] := array['updated_at'];
begin
  if new.id <> old.id or new.workspace_id <> old.workspace_id or new.blob_sha256 <> old.blob_sha256
     or new.created_at <> old.created_at or new.created_by is distinct from old.created_by then
    raise exception 'a part''s id, workspace, blob and creation record cannot change' using errcode = 'FC005';
  end if;

  if new.status is distinct from old.status then
    if not private.transition_allowed(old.status, new.status) then
      raise exception 'illegal part status transition: % -> %', old.status, new.status
        using errcode = 'FC001', detail = private.transitions_from(old.status);
    end if;
  end if;

  if v_direct then
    v_role := private.member_role(old.workspace_id);
    -- which columns each role may set directly
    v_allowed := case v_role
      when 'admin' then array['status', 'name', 'dataset_id', 'tags', 'split', 'review_notes', 'queue_priority']
      when 'engineer' then array['status', 'name', 'dataset_id', 'tags', 'review_notes', 'queue_priority']
      when 'ml_engineer' then array['tags', 'split']
      when 'annotator' then array['status']
      else array[]::text[] end;
    if (to_jsonb(new) - v_allowed - v_keep) <> (to_jsonb(old) - v_allowed - v_keep) then
      raise exception 'a % may not change these fields of a part', coalesce(v_role::text, 'non-member')
        using errcode = 'FC004';
    end if;
    if new.status is distinct from old.status then
      if old.status = 'in_progress' and new.status in ('pre_labeled', 'unannotated', 'in_review') then
        if old.annotator_id is distinct from v_uid and v_role <> 'admin' then
          raise exception 'only the annotator holding this part can release or submit it' using errcode = 'FC004';
        end if;
      elsif old.status = 'in_review' then
        if v_role not in ('admin', 'engineer') then
          raise exception 'only engineers and admins approve or reject' using errcode = 'FC004';
        end if;
        if old.annotator_id = v_uid then
          raise exception 'nobody reviews their own annotation' using errcode = 'FC004';
        end if;
      elsif old.status = 'failed' and new.status = 'uploaded' then
        if v_role not in ('admin', 'engineer') then
          raise exception 'only engineers and admins retry failed parts' using errcode = 'FC004';
        end if;
      elsif new.status = 'in_progress' then
        raise exception 'claim parts with claim_next_part()' using errcode = 'FC004';
      else
        raise exception 'only the processing pipeline moves a part from % to %', old.status, new.status
          using errcode = 'FC004';
      end if;
    end if;
  end if;

  -- consequences of a transition, whoever made it
  if new.status is distinct from old.status then
    new.status_changed_at := now();
    if new.status in ('pre_labeled', 'unannotated') and old.status = 'in_progress' then
      new.annotator_id := null; new.claimed_at := null; new.lease_expires_at := null; new.claimed_from := null;
    elsif new.status = 'in_review' then
      new.lease_expires_at := null;
    elsif old.status = 'in_review' then
      new.reviewer_id := coalesce(v_uid, new.reviewer_id);
      new.lease_expires_at := null; -- a rejected part goes back to its annotator, with no lease
    elsif new.status = 'uploaded' then
      new.failure_reason := null;
    end if;
  end if;
  new.updated_at := now();
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_insert_guard(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if new.status <> 'uploaded' and current_user = 'authenticated' then
    raise exception 'new parts start as uploaded' using errcode = 'FC001';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_notify(old public.parts, new public.parts)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  perform pg_notify('facet_events', jsonb_build_object(
    'workspace_id', new.workspace_id,
    'part_id', new.id,
    'kind', case when new.status is distinct from old.status or new.annotator_id is distinct from old.annotator_id
                 then 'status' else 'lease' end,
    'status', new.status,
    'annotator_id', new.annotator_id,
    'lease_expires_at', private.iso_time(new.lease_expires_at)
  )::text);
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_queue_priority(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_order text;
begin
  if old.id is null or new.prelabel_confidence is distinct from old.prelabel_confidence
     or new.dataset_id is distinct from old.dataset_id or new.geometry_id is distinct from old.geometry_id then
    select d.queue_order into v_order from public.datasets d where d.id = new.dataset_id;
    if v_order in ('most_novel', 'rare_classes') then
      new.queue_priority := private.part_learning_priority(new.id, new.dataset_id, new.geometry_id, v_order);
    elsif old.id is null or new.prelabel_confidence is distinct from old.prelabel_confidence
          or new.dataset_id is distinct from old.dataset_id then
      new.queue_priority := coalesce(private.part_queue_priority(new.dataset_id, new.prelabel_confidence), 0);
    end if;
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_review_consequences(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  -- parts_guard refuses reviewing one's own annotation; nor may a reviewer decide on labels they saved
  if current_user = 'authenticated' and old.status = 'in_review' and new.status is distinct from old.status
     and (select r.author_id from public.annotation_revisions r
          where r.part_id = old.id order by r.revision_no desc limit 1) = (select auth.uid()) then
    raise exception 'you saved the labels under review: another engineer or admin must review them'
      using errcode = 'FC004';
  end if;
  if new.status is distinct from old.status then
    if old.status = 'in_review' and new.status = 'in_progress' then
      new.returned_at := now();
    elsif new.status <> 'in_progress' then
      new.returned_at := null;
    end if;
  elsif new.returned_at is distinct from old.returned_at and current_user = 'authenticated' then
    raise exception 'returned_at is set by the review rules only' using errcode = 'FC005';
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.parts_submission_checked(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_revision public.annotation_revisions;
  v_pre record;
  v_below real;
  v_faces integer[];
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_submission_checked runs in the parts triggers only' using errcode = '42501';
  end if;
  select * into v_revision from public.annotation_revisions r
  where r.part_id = new.id order by r.revision_no desc limit 1;
  -- imported labels are someone's ground truth, not a pre-label to anchor on; any other latest
  -- revision (a human one, or the model's or a consensus start nobody saved over) is checked
  if v_revision.id is null or v_revision.source = 'import' then
    return new;
  end if;
  select d.confirm_below into v_below from public.datasets d where d.id = new.dataset_id;
  select p.labels, p.confidence into v_pre from private.prelabel_on(new.id, v_revision.face_signature) p;
  if v_pre.labels is null or jsonb_typeof(v_pre.confidence) is distinct from 'array' then
    return new;
  end if;
  select array_agg(c.face order by c.sure, c.face) into v_faces
  from (
    select (e.i - 1)::integer as face, e.value::real as sure
    from jsonb_array_elements(v_pre.confidence) with ordinality e(value, i)
    where jsonb_typeof(e.value) = 'number'
  ) c
  where c.sure < v_below
    and (v_revision.document -> 'labels' -> c.face) is not distinct from (v_pre.labels -> c.face)
    and coalesce(v_revision.face_checks[c.face + 1], 'unseen') <> 'confirmed';
  if cardinality(v_faces) > 0 then
    raise exception '% unsure pre-labelled % not confirmed yet: confirm or change % before submitting',
      cardinality(v_faces), case when cardinality(v_faces) = 1 then 'face is' else 'faces are' end,
      case when cardinality(v_faces) = 1 then 'it' else 'them' end
      using errcode = 'FC012', detail = array_to_string(v_faces, ',');
  end if;
  return new;
end
$function$;
REVOKE ALL ON FUNCTION private.parts_submission_checked(old public.parts, new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_submission_checked(old public.parts, new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.parts_submission_complete(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_signature text;
  v_face_count integer;
  v_revision public.annotation_revisions;
  v_labels jsonb;
  v_missing integer;
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_submission_complete runs in the parts triggers only' using errcode = '42501';
  end if;
  select g.face_signature, g.face_count into v_signature, v_face_count
  from public.part_geometry g where g.id = new.geometry_id;
  if v_signature is null then
    raise exception 'this part has no geometry yet, so no faces to label' using errcode = 'FC008';
  end if;
  select * into v_revision from public.annotation_revisions r
  where r.part_id = new.id order by r.revision_no desc limit 1;
  v_labels := v_revision.document -> 'labels';
  if v_revision.id is null or jsonb_typeof(v_labels) is distinct from 'array' then
    raise exception 'no labels saved yet' using errcode = 'FC008';
  end if;
  if v_revision.face_signature is distinct from v_signature then
    raise exception 'the saved labels were made on another face numbering: label the part''s current faces'
      using errcode = 'FC008', detail = format('revision %s', v_revision.revision_no);
  end if;
  select count(*) filter (where e = 'null'::jsonb)::integer
         + greatest(v_face_count - jsonb_array_length(v_labels), 0)
    into v_missing
  from jsonb_array_elements(v_labels) e;
  if v_missing > 0 then
    raise exception '% % not labelled yet', v_missing, case when v_missing = 1 then 'face is' else 'faces are' end
      using errcode = 'FC008',
            detail = format('revision %s: %s of %s faces labelled', v_revision.revision_no,
                            v_face_count - v_missing, v_face_count);
  end if;
  return new;
end
$function$;
REVOKE ALL ON FUNCTION private.parts_submission_complete(old public.parts, new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_submission_complete(old public.parts, new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.parts_submission_consensus(old public.parts, new public.parts)
 RETURNS public.parts
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_required integer;
  v_count integer;
  v_revision public.annotation_revisions;
  v_model public.annotation_revisions;
  v_faces integer;
  v_base jsonb;
  v_labels jsonb;
  v_instances jsonb;
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_submission_consensus runs in the parts triggers only' using errcode = '42501';
  end if;
  -- a part coming back from review has had its consensus already
  if old.returned_at is not null then
    return new;
  end if;
  select d.required_annotations into v_required from public.datasets d where d.id = new.dataset_id;
  if coalesce(v_required, 1) <= 1 then
    return new;
  end if;
  select * into v_revision from public.annotation_revisions r
  where r.part_id = new.id order by r.revision_no desc limit 1;
  if exists (select 1 from public.independent_annotations i
             where i.part_id = new.id and i.annotator_id = old.annotator_id
               and i.face_signature = v_revision.face_signature) then
    raise exception 'you have annotated this part already: its dataset needs % independent annotations', v_required
      using errcode = 'FC010';
  end if;
  insert into public.independent_annotations (part_id, workspace_id, annotator_id, revision_id, face_signature)
  values (new.id, new.workspace_id, old.annotator_id, v_revision.id, v_revision.face_signature);
  select count(*) into v_count from public.independent_annotations i
  where i.part_id = new.id and i.face_signature = v_revision.face_signature;
  perform private.audit(new.workspace_id, 'part.annotation_recorded', 'parts', new.id::text,
    jsonb_build_object('revision_no', v_revision.revision_no, 'count', v_count, 'required', v_required,
                       'part_id', new.id));
  v_faces := jsonb_array_length(v_revision.document -> 'labels');

  if v_count < v_required then
    -- back to the queue for someone else, from the pre-label (or from nothing)
    select * into v_model from public.annotation_revisions r
    where r.part_id = new.id and r.source = 'model' and r.face_signature = v_revision.face_signature
    order by r.revision_no desc limit 1;
    v_base := coalesce(v_model.document, jsonb_build_object(
      'schemaVersion', 1, 'faceSignature', v_revision.face_signature, 'faceCount', v_faces,
      'labels', (select jsonb_agg('null'::jsonb) from generate_series(1, v_faces)), 'instances', '[]'::jsonb));
    insert into public.annotation_revisions (part_id, author_id, label_schema_id, face_signature,
      document, model_assisted, source)
    values (new.id, null, v_revision.label_schema_id, v_revision.face_signature,
      v_base || jsonb_build_object('provenance', jsonb_build_object(
        'consensus', 'start of an independent annotation', 'annotation', v_count + 1, 'required', v_required)),
      v_model.id is not null, 'consensus');
    new.status := case when v_model.id is not null then 'pre_labeled' else 'unannotated' end::public.part_status;
    new.annotator_id := null;
    new.claimed_at := null;
    new.lease_expires_at := null;
    new.claimed_from := null;
    return new;
  end if;

  -- the last one: each face's majority (private.face_majority), instances of the last annotation
  -- that still fit
  select jsonb_agg(to_jsonb(m.label) order by m.face) into v_labels
  from private.face_majority(new.id, v_revision.face_signature) m;
  select coalesce(jsonb_agg(inst), '[]'::jsonb) into v_instances
  from jsonb_array_elements(coalesce(v_revision.document -> 'instances', '[]'::jsonb)) inst
  where not exists (
    select 1 from jsonb_array_elements_text(inst -> 'faces') f
    where (v_labels ->> (f::integer)) is distinct from (inst ->> 'feature'));
  insert into public.annotation_revisions (part_id, author_id, label_schema_id, face_signature,
    document, model_assisted, source)
  values (new.id, null, v_revision.label_schema_id, v_revision.face_signature,
    jsonb_build_object('schemaVersion', 1, 'faceSignature', v_revision.face_signature, 'faceCount', v_faces,
      'labels', v_labels, 'instances', v_instances,
      'provenance', jsonb_build_object('consensus', 'majority of independent annotations', 'annotations', v_count)),
    false, 'consensus');
  return new;
end
$function$;
REVOKE ALL ON FUNCTION private.parts_submission_consensus(old public.parts, new public.parts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.parts_submission_consensus(old public.parts, new public.parts) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.prelabel_labels(p_part_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id)
  from public.annotation_revisions r
  join public.parts p on p.id = r.part_id
  join public.datasets d on d.id = p.dataset_id
  where r.part_id = p_part_id and r.source = 'model' and jsonb_typeof(r.document -> 'labels') = 'array'
  order by r.revision_no desc
  limit 1
$function$;
REVOKE ALL ON FUNCTION private.prelabel_labels(p_part_id uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.prelabel_on(p_part_id uuid, p_face_signature text)
 RETURNS TABLE(labels jsonb, confidence jsonb)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id),
         r.document -> 'prelabel' -> 'confidence'
  from public.annotation_revisions r
  join public.parts p on p.id = r.part_id
  left join public.datasets d on d.id = p.dataset_id
  where r.part_id = p_part_id and r.source = 'model' and r.face_signature = p_face_signature
    and jsonb_typeof(r.document -> 'labels') = 'array'
  order by r.revision_no desc
  limit 1
$function$;
REVOKE ALL ON FUNCTION private.prelabel_on(p_part_id uuid, p_face_signature text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.queue_clusters()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$ select 32 $function$;

CREATE OR REPLACE FUNCTION private.queue_training(p_dataset_id uuid, p_reason text, p_user uuid)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_workspace uuid;
  v_job uuid;
begin
  select d.workspace_id into v_workspace from public.datasets d where d.id = p_dataset_id for update;
  if v_workspace is null then
    raise exception 'no such dataset' using errcode = 'FC031';
  end if;
  if private.training_pending(p_dataset_id) then
    raise exception 'a training of this dataset is queued or running already: wait for it to finish'
      using errcode = 'FC003';
  end if;
  insert into public.jobs (workspace_id, kind, payload, created_by, max_attempts)
  values (v_workspace, 'learning:train',
          jsonb_build_object('datasetId', p_dataset_id, 'reason', p_reason), p_user, 1)
  returning id into v_job;
  return v_job;
end
$function$;
REVOKE ALL ON FUNCTION private.queue_training(p_dataset_id uuid, p_reason text, p_user uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.rate_limit_take(p_bucket text, p_key text, p_limit integer, p_period_seconds double precision, p_cost integer DEFAULT 1)
 RETURNS double precision
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_now timestamptz := clock_timestamp();
  v_period interval := make_interval(secs => p_period_seconds);
  v_step interval := make_interval(secs => p_period_seconds / p_limit);
  v_tat timestamptz;
  v_next timestamptz;
begin
  if p_limit < 1 or p_period_seconds <= 0 then
    raise exception 'a rate limit needs a positive limit and period' using errcode = '22023';
  end if;
  if p_cost < 0 then
    update private.rate_limits set tat = greatest(tat + v_step * p_cost, v_now)
    where bucket = p_bucket and key = p_key;
    return 0;
  end if;
  insert into private.rate_limits as r (bucket, key, tat) values (p_bucket, p_key, v_now)
  on conflict (bucket, key) do update set tat = r.tat
  returning r.tat into v_tat;
  v_next := greatest(v_tat, v_now) + v_step * p_cost;
  if v_next - v_now > v_period then
    return greatest(extract(epoch from (v_next - v_now - v_period)), 0.001);
  end if;
  update private.rate_limits set tat = v_next where bucket = p_bucket and key = p_key;
  return 0;
end
$function$;
REVOKE ALL ON FUNCTION private.rate_limit_take(p_bucket text, p_key text, p_limit integer, p_period_seconds double precision, p_cost integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.rate_limit_take(p_bucket text, p_key text, p_limit integer, p_period_seconds double precision, p_cost integer) TO service_role;

CREATE OR REPLACE FUNCTION private.rate_limits_prune()
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
  with gone as (delete from private.rate_limits where tat < clock_timestamp() returning 1)
  select count(*)::integer from gone
$function$;
REVOKE ALL ON FUNCTION private.rate_limits_prune() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.rate_limits_prune() TO service_role;

CREATE OR REPLACE FUNCTION private.redact_jsonb(p_doc jsonb, p_patterns text[], p_label text)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
begin
  return case jsonb_typeof(p_doc)
    when 'object' then (select coalesce(jsonb_object_agg(e.key, private.redact_jsonb(e.value, p_patterns, p_label)), '{}'::jsonb)
                        from jsonb_each(p_doc) e)
    when 'array' then (select coalesce(jsonb_agg(private.redact_jsonb(a.value, p_patterns, p_label) order by a.n), '[]'::jsonb)
                       from jsonb_array_elements(p_doc) with ordinality a(value, n))
    when 'string' then to_jsonb(private.redact_text(p_doc #>> '{}', p_patterns, p_label))
    else p_doc end;
end
$function$;

CREATE OR REPLACE FUNCTION private.redact_person(p_user_id uuid, p_strings text[], p_label text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_patterns text[] := private.redaction_patterns(p_strings);
  v_audit integer;
  v_comments integer;
  v_notifications integer;
begin
  insert into private.erasure_marks default values;
  update public.audit_events a
  set data = private.redact_jsonb(a.data, v_patterns, p_label),
      ip = case when a.actor_id = p_user_id then null else a.ip end,
      user_agent = case when a.actor_id = p_user_id then null else private.redact_text(a.user_agent, v_patterns, p_label) end
  where (a.actor_id = p_user_id and (a.ip is not null or a.user_agent is not null))
     or a.data::text ~* any (v_patterns) or a.user_agent ~* any (v_patterns);
  get diagnostics v_audit = row_count;
  update public.comments c
  set author_name = case when c.author_id = p_user_id then p_label else private.redact_text(c.author_name, v_patterns, p_label) end,
      body = left(private.redact_text(c.body, v_patterns, p_label), 5000)
  where c.author_id = p_user_id or c.author_name ~* any (v_patterns) or c.body ~* any (v_patterns);
  get diagnostics v_comments = row_count;
  update public.notifications n
  set actor_name = case when n.actor_id = p_user_id then p_label else private.redact_text(n.actor_name, v_patterns, p_label) end,
      summary = left(private.redact_text(n.summary, v_patterns, p_label), 300)
  where n.actor_id = p_user_id or n.actor_name ~* any (v_patterns) or n.summary ~* any (v_patterns);
  get diagnostics v_notifications = row_count;
  delete from private.erasure_marks where xact = pg_current_xact_id();
  return jsonb_build_object('audit_events', v_audit, 'comments', v_comments, 'notifications', v_notifications);
end
$function$;
REVOKE ALL ON FUNCTION private.redact_person(p_user_id uuid, p_strings text[], p_label text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.redact_text(p_text text, p_patterns text[], p_label text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO ''
AS $function$
declare
  v text := p_text;
  p text;
begin
  if v is null then
    return null;
  end if;
  foreach p in array p_patterns loop
    v := regexp_replace(v, p, p_label, 'gi');
  end loop;
  return v;
end
$function$;

CREATE OR REPLACE FUNCTION private.redaction_patterns(p_strings text[])
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select coalesce(array_agg(distinct '(?<![[:alnum:]])' || regexp_replace(s, '([^[:alnum:][:space:]])', '\\\1', 'g')
                            || '(?![[:alnum:]])'), '{}')
  from unnest(p_strings) s
  where char_length(btrim(s)) >= 2
$function$;

CREATE OR REPLACE FUNCTION private.refresh_queue_priorities(p_dataset_id uuid)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_order text;
  v_moved integer;
  v_sample extensions.cube[];
  v_centers extensions.cube[];
  v_next extensions.cube;
  v_far double precision;
  v_n integer;
  v_k integer;
begin
  select d.queue_order into v_order from public.datasets d where d.id = p_dataset_id;
  if v_order is null then
    return 0;
  end if;
  if v_order not in ('most_novel', 'rare_classes') then
    delete from private.queue_stats where dataset_id = p_dataset_id;
    update public.parts p
    set queue_priority = coalesce(private.part_queue_priority(p.dataset_id, p.prelabel_confidence), 0)
    where p.dataset_id = p_dataset_id
      and p.queue_priority is distinct from coalesce(private.part_queue_priority(p.dataset_id, p.prelabel_confidence), 0);
    get diagnostics v_moved = row_count;
    return v_moved;
  end if;

  if v_order = 'most_novel' then
    -- cluster centres, farthest first (deterministic): from a sample of up to 1000 fingerprints, the
    -- first by hash of its part id, then each time the one farthest from the centres so far; as many
    -- as the square root of the parts (at most private.queue_clusters()), so clusters hold several
    select coalesce(array_agg(s.c order by s.h), '{}') into v_sample
    from (
      select extensions.cube(g.shape_descriptor::float8[]) as c, md5(p.id::text) as h
      from public.parts p join public.part_geometry g on g.id = p.geometry_id
      where p.dataset_id = p_dataset_id and g.shape_descriptor is not null
      order by 2 limit 1000
    ) s;
    select count(*) into v_n from public.parts p join public.part_geometry g on g.id = p.geometry_id
    where p.dataset_id = p_dataset_id and g.shape_descriptor is not null;
    v_k := least(private.queue_clusters(), greatest(1, floor(sqrt(v_n))::integer));
    v_centers := case when cardinality(v_sample) > 0 then array[v_sample[1]] else '{}' end;
    while cardinality(v_centers) < v_k loop
      select x.c, x.d into v_next, v_far
      from (
        select u.c, (select min(u.c operator(extensions.<->) ce.c) from unnest(v_centers) ce(c)) as d, u.i
        from unnest(v_sample) with ordinality u(c, i)
      ) x
      order by x.d desc, x.i limit 1;
      exit when v_far is null or v_far = 0;
      v_centers := v_centers || v_next;
    end loop;

    with nearest as (
      select p.id, p.status,
             (select u.k from unnest(v_centers) with ordinality u(c, k)
              order by u.c operator(extensions.<->) extensions.cube(g.shape_descriptor::float8[]) limit 1) as k
      from public.parts p join public.part_geometry g on g.id = p.geometry_id
      where p.dataset_id = p_dataset_id and g.shape_descriptor is not null
    ), clusters as (
      select n.k, (count(*) filter (where n.status = 'approved'))::real / count(*)::real as share
      from nearest n group by n.k
    ), stats as (
      insert into private.queue_stats as q (dataset_id, queue_order, centers, cluster_share, class_share, approved,
                                            refreshed_at)
      select p_dataset_id, v_order, v_centers,
             coalesce((select array_agg(coalesce(cl.share, 0) order by u.k)
                       from unnest(v_centers) with ordinality u(c, k) left join clusters cl on cl.k = u.k), '{}'),
             '{}',
             (select count(*) from public.parts p where p.dataset_id = p_dataset_id and p.status = 'approved'),
             now()
      on conflict (dataset_id) do update
        set queue_order = excluded.queue_order, centers = excluded.centers, cluster_share = excluded.cluster_share,
            class_share = excluded.class_share, approved = excluded.approved, refreshed_at = excluded.refreshed_at
      returning 1
    )
    -- (the insert above runs to completion whether or not this reads it)
    update public.parts p set queue_priority = coalesce(cl.share, 0)
    from nearest n left join clusters cl on cl.k = n.k
    where p.id = n.id and n.status <> 'approved'
      and p.queue_priority is distinct from coalesce(cl.share, 0);
    get diagnostics v_moved = row_count;
    -- parts without a fingerprint yet stand first, as parts without a pre-label do
    update public.parts p set queue_priority = 0
    where p.dataset_id = p_dataset_id and p.status <> 'approved' and p.queue_priority <> 0
      and not exists (select 1 from public.part_geometry g where g.id = p.geometry_id and g.shape_descriptor is not null);
    return v_moved;
  end if;

  -- rare_classes: each class's share of the approved faces (latest revisions, in the current schema)
  with approved_faces as (
    select l.label, count(*) as n
    from public.parts p
    join public.datasets d on d.id = p.dataset_id
    join lateral (
      select r.document, r.label_schema_id from public.annotation_revisions r
      where r.part_id = p.id order by r.revision_no desc limit 1
    ) r on true
    cross join lateral jsonb_array_elements_text(
      case when jsonb_typeof(r.document -> 'labels') = 'array'
           then private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id)
           else '[]'::jsonb end) l(label)
    where p.dataset_id = p_dataset_id and p.status = 'approved'
    group by l.label
  ), shares as (
    select coalesce(jsonb_object_agg(a.label, a.n::real / t.total), '{}'::jsonb) as share
    from approved_faces a cross join (select greatest(sum(n), 1) as total from approved_faces) t
  )
  insert into private.queue_stats as q (dataset_id, queue_order, class_share, approved, refreshed_at)
  select p_dataset_id, v_order, s.share,
         (select count(*) from public.parts p where p.dataset_id = p_dataset_id and p.status = 'approved'), now()
  from shares s
  on conflict (dataset_id) do update
    set queue_order = excluded.queue_order, centers = '{}', cluster_share = '{}', class_share = excluded.class_share,
        approved = excluded.approved, refreshed_at = excluded.refreshed_at;

  with scored as (
    select p.id,
           coalesce((select min(coalesce((s.class_share ->> l.label)::real, 0))
                     from jsonb_array_elements_text(private.prelabel_labels(p.id)) l(label)), 0) as priority
    from public.parts p cross join private.queue_stats s
    where p.dataset_id = p_dataset_id and p.status <> 'approved' and s.dataset_id = p_dataset_id
  )
  update public.parts p set queue_priority = sc.priority
  from scored sc
  where p.id = sc.id and p.queue_priority is distinct from sc.priority;
  get diagnostics v_moved = row_count;
  return v_moved;
end
$function$;
REVOKE ALL ON FUNCTION private.refresh_queue_priorities(p_dataset_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.refresh_queue_priorities(p_dataset_id uuid) TO service_role;

CREATE OR REPLACE FUNCTION private.refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op)
    using errcode = 'FC003', hint = 'write a new row instead';
end
$function$;

CREATE OR REPLACE FUNCTION private.share_allows_comments()
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select coalesce((private.current_share_link()).access = 'comment', false)
$function$;

CREATE OR REPLACE FUNCTION private.share_links_audit()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'INSERT' then
    perform private.audit(new.workspace_id, 'share_link.created', 'share_links', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'access', new.access, 'expires_at', new.expires_at, 'label', new.label));
  elsif new.revoked_at is not null and old.revoked_at is null then
    perform private.audit(new.workspace_id, 'share_link.revoked', 'share_links', new.id::text,
      jsonb_build_object('part_id', new.part_id, 'access', new.access, 'label', new.label));
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.share_links_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'INSERT' then
    select p.workspace_id into new.workspace_id from public.parts p where p.id = new.part_id;
    if new.workspace_id is null then
      raise exception 'no such part' using errcode = '23503';
    end if;
    if new.expires_at <= now() or new.expires_at > now() + interval '366 days' then
      raise exception 'a share link expires between now and a year from now' using errcode = '22023';
    end if;
    new.created_at := now();
    new.revoked_at := null;
    new.revoked_by := null;
    new.use_count := 0;
    new.last_used_at := null;
    if (select auth.uid()) is not null then
      new.created_by := (select auth.uid());
    end if;
    return new;
  end if;
  -- updates by users: revoking only, once
  if current_user = 'authenticated' then
    if (to_jsonb(new) - '{revoked_at,revoked_by}'::text[]) <> (to_jsonb(old) - '{revoked_at,revoked_by}'::text[]) then
      raise exception 'a share link can only be revoked' using errcode = 'FC005';
    end if;
    if old.revoked_at is not null then
      raise exception 'this share link is revoked already' using errcode = 'FC005';
    end if;
    if new.revoked_at is not null then
      new.revoked_at := now();
      new.revoked_by := (select auth.uid());
    end if;
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION private.share_part_id()
 RETURNS uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select (private.current_share_link()).part_id
$function$;

CREATE OR REPLACE FUNCTION private.shares_workspace(other uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.workspace_members a
    join public.workspace_members b on b.workspace_id = a.workspace_id
    where a.user_id = (select auth.uid()) and b.user_id = other and a.deactivated_at is null
      and private.in_scope(a.workspace_id)
  )
$function$;
GRANT EXECUTE ON FUNCTION private.shares_workspace(other uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.snapshot_parts_sealed()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if exists (select 1 from added a join public.snapshots s on s.id = a.snapshot_id
             where s.created_xact <> pg_current_xact_id()) then
    raise exception 'snapshots are immutable: parts join a snapshot only when it is frozen'
      using errcode = 'FC020';
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION private.snapshots_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'DELETE' then
    if not exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
      return old; -- the workspace itself is being deleted
    end if;
  end if;
  raise exception 'snapshots are immutable: % refused', lower(tg_op)
    using errcode = 'FC020', hint = 'freeze a new snapshot instead';
end
$function$;

CREATE OR REPLACE FUNCTION private.sync_profile()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  insert into public.profiles (user_id, email, display_name)
  values (new.id, coalesce(new.email, ''), nullif(new.raw_user_meta_data ->> 'display_name', ''))
  on conflict (user_id) do update
    set email = excluded.email,
        display_name = coalesce(excluded.display_name, public.profiles.display_name);
  return new;
end
$function$;
GRANT EXECUTE ON FUNCTION private.sync_profile() TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.touch_event_stream(p_id uuid)
 RETURNS boolean
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
  with touched as (update private.event_streams set seen_at = now() where id = p_id returning 1)
  select exists (select 1 from touched)
$function$;
REVOKE ALL ON FUNCTION private.touch_event_stream(p_id uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.touch_event_stream(p_id uuid) TO service_role;

CREATE OR REPLACE FUNCTION private.touch_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  new.updated_at := now();
  return new;
end
$function$;
GRANT EXECUTE ON FUNCTION private.touch_updated_at() TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.training_pending(p_dataset_id uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.jobs j
    where j.kind = 'learning:train' and j.status in ('queued', 'running')
      and j.payload ->> 'datasetId' = p_dataset_id::text
  )
$function$;
REVOKE ALL ON FUNCTION private.training_pending(p_dataset_id uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION private.transition_allowed(p_from public.part_status, p_to public.part_status)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (select 1 from private.part_status_transitions t where t.from_status = p_from and t.to_status = p_to)
$function$;
GRANT EXECUTE ON FUNCTION private.transition_allowed(p_from public.part_status, p_to public.part_status) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.transitions_from(p_from public.part_status)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select coalesce('allowed from ' || p_from || ': ' || string_agg(t.to_status::text, ', ' order by t.to_status),
                  p_from || ' is final')
  from private.part_status_transitions t where t.from_status = p_from
$function$;
GRANT EXECUTE ON FUNCTION private.transitions_from(p_from public.part_status) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION private.work_time_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  v_part public.parts;
  v_earlier bigint;
  v_limit_ms bigint;
begin
  select * into v_part from public.parts p where p.id = new.part_id;
  if v_part.id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  if tg_op = 'INSERT' then
    new.workspace_id := v_part.workspace_id;
    new.started_at := now();
    if new.active_ms > 600000 then
      raise exception 'at most 10 minutes of active time a report' using errcode = '22023';
    end if;
  else
    if (new.workspace_id, new.part_id, new.user_id, new.session_id, new.started_at)
       is distinct from (old.workspace_id, old.part_id, old.user_id, old.session_id, old.started_at) then
      raise exception 'a work time record''s part, person and session cannot change' using errcode = '22023';
    end if;
    if new.active_ms < old.active_ms or new.active_ms - old.active_ms > 600000 then
      raise exception 'active time only grows, by at most 10 minutes a report' using errcode = '22023';
    end if;
  end if;
  new.updated_at := now();
  -- the time since the claim bounds all of the person's time on the part during that claim
  if current_user = 'authenticated' then
    if v_part.claimed_at is null or v_part.annotator_id is distinct from new.user_id then
      raise exception 'you do not hold this part' using errcode = 'FC004';
    end if;
    select coalesce(sum(w.active_ms), 0) into v_earlier from public.work_time w
    where w.part_id = new.part_id and w.user_id = new.user_id and w.started_at >= v_part.claimed_at
      and w.id <> new.id;
    v_limit_ms := (extract(epoch from (now() - v_part.claimed_at)) * 1000)::bigint + 5000;
    if v_earlier + new.active_ms > v_limit_ms then
      raise exception 'more active time than has passed since the part was claimed' using errcode = '22023';
    end if;
  end if;
  return new;
end
$function$;

-- ====================================================================================================
-- Schema auth: as supabase/bootstrap creates it on a plain PostgreSQL (Supabase's own has more), with our triggers
-- ====================================================================================================

CREATE SCHEMA auth;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;

CREATE TABLE auth.refresh_tokens (
  instance_id uuid,
  id bigint DEFAULT nextval('auth.refresh_tokens_id_seq'::regclass) NOT NULL,
  token character varying(255),
  user_id character varying(255),
  revoked boolean,
  created_at timestamp with time zone DEFAULT now(),
  updated_at timestamp with time zone DEFAULT now(),
  parent character varying(255),
  session_id uuid,
  CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES auth.sessions(id) ON DELETE CASCADE,
  CONSTRAINT refresh_tokens_token_key UNIQUE (token)
);
-- id takes its values from the sequence auth.refresh_tokens_id_seq (owned by the column)
CREATE INDEX refresh_tokens_session_id_idx ON auth.refresh_tokens USING btree (session_id);

CREATE TABLE auth.sessions (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  not_after timestamp with time zone,
  user_agent text,
  ip inet,
  refreshed_at timestamp without time zone,
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_id_idx ON auth.sessions USING btree (user_id);

CREATE TABLE auth.users (
  instance_id uuid,
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  aud character varying(255) DEFAULT 'authenticated'::character varying,
  role character varying(255) DEFAULT 'authenticated'::character varying,
  email character varying(255),
  encrypted_password character varying(255),
  email_confirmed_at timestamp with time zone,
  last_sign_in_at timestamp with time zone,
  raw_app_meta_data jsonb DEFAULT '{}'::jsonb,
  raw_user_meta_data jsonb DEFAULT '{}'::jsonb,
  banned_until timestamp with time zone,
  is_anonymous boolean DEFAULT false NOT NULL,
  created_at timestamp with time zone DEFAULT now(),
  updated_at timestamp with time zone DEFAULT now(),
  deleted_at timestamp with time zone,
  CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX users_email_partial_key ON auth.users USING btree (lower((email)::text)) WHERE (email IS NOT NULL);
CREATE TRIGGER on_auth_user_saved AFTER INSERT OR UPDATE OF email, raw_user_meta_data ON auth.users FOR EACH ROW EXECUTE FUNCTION private.sync_profile();
CREATE TRIGGER users_erase_auth_extras BEFORE UPDATE ON auth.users FOR EACH ROW WHEN (new.raw_app_meta_data ? 'facet_erased'::text AND NOT COALESCE(old.raw_app_meta_data ? 'facet_erased'::text, false)) EXECUTE FUNCTION private.erase_auth_extras();

-- Functions of auth -------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION auth.email()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$function$;
GRANT EXECUTE ON FUNCTION auth.email() TO anon, authenticated, service_role;

CREATE OR REPLACE FUNCTION auth.jwt()
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$function$;
GRANT EXECUTE ON FUNCTION auth.jwt() TO anon, authenticated, service_role;

CREATE OR REPLACE FUNCTION auth.role()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$function$;
GRANT EXECUTE ON FUNCTION auth.role() TO anon, authenticated, service_role;

CREATE OR REPLACE FUNCTION auth.uid()
 RETURNS uuid
 LANGUAGE sql
 STABLE
AS $function$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$function$;
GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
