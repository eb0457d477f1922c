import {
  type AnnotationDocument,
  AppError,
  annotationDocumentSchema,
  applyMapping,
  type Crosswalk,
  checkMapping,
  type FaceCheck,
  type PrelabelTranslation,
  type SchemaMapping,
  type Taxonomy,
  taxonomySchema,
} from "@facet/core";
import type { PoolClient } from "../pool";
import { findDataset } from "./datasets";
import { appendRevision } from "./revisions";

export interface LabelSchemaVersion {
  id: string;
  name: string;
  version: number;
  isDefault: boolean;
  createdAt: string;
  createdByEmail: string | null;
  taxonomy: Taxonomy;
  /** The datasets labelled with this version. */
  datasets: Array<{ id: string; name: string }>;
  /** How this version was made from an earlier one (null: a first version or an import). */
  mapping: { fromId: string; fromVersion: number; mapping: SchemaMapping } | null;
}

function parseTaxonomy(raw: unknown, what: string): Taxonomy {
  const parsed = taxonomySchema.safeParse(raw);
  if (!parsed.success) throw new AppError("INTERNAL", `the label schema ${what} is not valid`);
  return parsed.data;
}

const SELECT = `
  select s.id, s.name, s.version, s.is_default as "isDefault", s.created_at as "createdAt", pr.email as "createdByEmail",
         s.taxonomy,
         coalesce((select jsonb_agg(jsonb_build_object('id', d.id, 'name', d.name) order by d.name)
                   from public.datasets d where d.label_schema_id = s.id), '[]'::jsonb) as datasets,
         case when m.to_schema_id is null then null
              else jsonb_build_object('fromId', m.from_schema_id, 'fromVersion', f.version, 'mapping', m.mapping) end
           as mapping
  from public.label_schemas s
  left join public.profiles pr on pr.user_id = s.created_by
  left join public.label_schema_mappings m on m.to_schema_id = s.id
  left join public.label_schemas f on f.id = m.from_schema_id`;

type Row = Omit<LabelSchemaVersion, "taxonomy" | "createdAt"> & { taxonomy: unknown; createdAt: Date };

const toVersion = (r: Row): LabelSchemaVersion => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  taxonomy: parseTaxonomy(r.taxonomy, `${r.name} v${r.version}`),
});

/** Every schema version of the workspace, by name then newest version first. */
export async function listLabelSchemas(client: PoolClient, workspaceId: string): Promise<LabelSchemaVersion[]> {
  const { rows } = await client.query<Row>(`${SELECT} where s.workspace_id = $1 order by s.name, s.version desc`, [
    workspaceId,
  ]);
  return rows.map(toVersion);
}

/** One schema version of the workspace; NOT_FOUND otherwise. */
export async function getLabelSchema(client: PoolClient, workspaceId: string, id: string): Promise<LabelSchemaVersion> {
  const { rows } = await client.query<Row>(`${SELECT} where s.workspace_id = $1 and s.id = $2`, [workspaceId, id]);
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "no such label schema version in this workspace");
  return toVersion(r);
}

/** A new schema (version 1) under a name not used yet in the workspace (CONFLICT otherwise). */
export async function createLabelSchema(
  client: PoolClient,
  input: { workspaceId: string; name: string; taxonomy: Taxonomy },
): Promise<LabelSchemaVersion> {
  const taken = await client.query("select 1 from public.label_schemas where workspace_id = $1 and name = $2", [
    input.workspaceId,
    input.name,
  ]);
  if (taken.rowCount) {
    throw new AppError("CONFLICT", `a schema named "${input.name}" exists already: make a new version of it instead`);
  }
  const { rows } = await client.query<{ id: string }>(
    `insert into public.label_schemas (workspace_id, name, version, taxonomy, created_by)
     values ($1, $2, 1, $3, auth.uid()) returning id`,
    [input.workspaceId, input.name, JSON.stringify(input.taxonomy)],
  );
  return getLabelSchema(client, input.workspaceId, (rows[0] as { id: string }).id);
}

/**
 * The crosswalks of a version carried to the next one through the mapping: a crosswalk class mapped
 * to an old class now points at that class's (first) new class, or at nothing when it is gone.
 */
export function carryCrosswalks(
  crosswalks: Record<string, Crosswalk>,
  mapping: SchemaMapping,
  newKeys: ReadonlySet<string>,
): Record<string, Crosswalk> {
  return Object.fromEntries(
    Object.entries(crosswalks).map(([name, cw]) => [
      name,
      {
        ...cw,
        classes: cw.classes.map((c) => {
          const to = c.feature === null ? null : (mapping[c.feature]?.[0] ?? c.feature);
          return { ...c, feature: to !== null && newKeys.has(to) ? to : null };
        }),
      },
    ]),
  );
}

/**
 * The next version of the schema `fromId` belongs to, with these classes and the mapping from
 * `fromId`'s classes (checked: VALIDATION_FAILED with every problem). The new version keeps the
 * crosswalks of the one it comes from (remapped), unless `taxonomy` brings its own; when the schema
 * is the workspace's default, the default moves to the new version (new datasets start on it).
 */
export async function createLabelSchemaVersion(
  client: PoolClient,
  input: { workspaceId: string; fromId: string; taxonomy: Taxonomy; mapping: SchemaMapping },
): Promise<LabelSchemaVersion> {
  const from = await getLabelSchema(client, input.workspaceId, input.fromId);
  const { problems } = checkMapping(from.taxonomy, input.taxonomy, input.mapping);
  if (problems.length > 0) {
    throw new AppError("VALIDATION_FAILED", problems[0] as string, { problems });
  }
  const newKeys = new Set(input.taxonomy.featureTypes.map((f) => f.key));
  const crosswalks =
    Object.keys(input.taxonomy.crosswalks).length > 0
      ? input.taxonomy.crosswalks
      : carryCrosswalks(from.taxonomy.crosswalks, input.mapping, newKeys);
  const taxonomy = taxonomySchema.parse({ ...input.taxonomy, crosswalks });
  const head = await client.query<{ version: number; defaultId: string | null }>(
    `select max(version)::int as version, (select id from public.label_schemas where workspace_id = $1 and name = $2
       and is_default) as "defaultId"
     from public.label_schemas where workspace_id = $1 and name = $2`,
    [input.workspaceId, from.name],
  );
  const { version, defaultId } = head.rows[0] as { version: number; defaultId: string | null };
  if (defaultId) await client.query("update public.label_schemas set is_default = false where id = $1", [defaultId]);
  const { rows } = await client.query<{ id: string }>(
    `insert into public.label_schemas (workspace_id, name, version, taxonomy, is_default, created_by)
     values ($1, $2, $3, $4, $5, auth.uid()) returning id`,
    [input.workspaceId, from.name, version + 1, JSON.stringify(taxonomy), defaultId !== null],
  );
  const id = (rows[0] as { id: string }).id;
  await client.query(
    `insert into public.label_schema_mappings (to_schema_id, workspace_id, from_schema_id, mapping, created_by)
     values ($1, $2, $3, $4, auth.uid())`,
    [id, input.workspaceId, from.id, JSON.stringify(input.mapping)],
  );
  return getLabelSchema(client, input.workspaceId, id);
}

/** The classes the latest labels of a dataset's parts use that `keys` lacks, with how many parts use each. */
async function classesMissing(
  client: PoolClient,
  datasetId: string,
  keys: ReadonlySet<string>,
): Promise<Array<{ key: string; parts: number }>> {
  const { rows } = await client.query<{ key: string; parts: number }>(
    `select l.key, count(distinct p.id)::int as parts
     from public.parts p
     join lateral (select document from public.annotation_revisions r where r.part_id = p.id
                   order by r.revision_no desc limit 1) r on true
     cross join lateral (
       select jsonb_array_elements_text(case when jsonb_typeof(r.document -> 'labels') = 'array'
                                             then r.document -> 'labels' else '[]' end) as key
       union select i ->> 'feature' from jsonb_array_elements(case when jsonb_typeof(r.document -> 'instances') = 'array'
                                                           then r.document -> 'instances' else '[]' end) i
     ) l
     where p.dataset_id = $1 and l.key is not null and not (l.key = any ($2::text[]))
     group by l.key order by l.key`,
    [datasetId, [...keys]],
  );
  return rows;
}

/**
 * Label a dataset with another schema version. Refused (CONFLICT) when its parts' current labels use
 * classes the version lacks: those labels would be stranded; a new version's mapping is applied for that.
 */
export async function setDatasetLabelSchema(
  client: PoolClient,
  input: { workspaceId: string; dataset: string; schemaId: string },
): Promise<{ datasetId: string; schema: { id: string; name: string; version: number } }> {
  const dataset = await findDataset(client, input.workspaceId, input.dataset);
  const schema = await getLabelSchema(client, input.workspaceId, input.schemaId);
  const missing = await classesMissing(client, dataset.id, new Set(schema.taxonomy.featureTypes.map((f) => f.key)));
  if (missing.length > 0) {
    throw new AppError(
      "CONFLICT",
      `${schema.name} v${schema.version} lacks classes this dataset's labels use (${missing
        .map((m) => `${m.key}: ${m.parts} part${m.parts === 1 ? "" : "s"}`)
        .join(", ")}): make a version with a mapping and apply it instead`,
      { missing },
    );
  }
  const updated = await client.query(
    "update public.datasets set label_schema_id = $3 where workspace_id = $1 and id = $2",
    [input.workspaceId, dataset.id, schema.id],
  );
  if (!updated.rowCount) throw new AppError("FORBIDDEN", "your role does not allow changing this dataset");
  return { datasetId: dataset.id, schema: { id: schema.id, name: schema.name, version: schema.version } };
}

export interface MappingProgress {
  from: { id: string; version: number };
  to: { id: string; name: string; version: number };
  /** Datasets still on the old version (switched by the next batch). */
  datasetsOnOld: Array<{ id: string; name: string }>;
  /** Parts whose labels are mapped (a revision written, or nothing to change). */
  done: number;
  /** Parts whose current labels are still those of the old version. */
  remaining: number;
  /** Parts with faces of a split class, given its first class: a person must check them. */
  flagged: Array<{ partId: string; name: string; datasetId: string; splitFaces: number }>;
  /** Parts whose labels could not be mapped, and why (nothing was written for them). */
  problems: Array<{ partId: string; name: string; datasetId: string; problem: string }>;
}

async function mappingOf(client: PoolClient, workspaceId: string, toId: string) {
  const to = await getLabelSchema(client, workspaceId, toId);
  if (!to.mapping) throw new AppError("NOT_FOUND", `${to.name} v${to.version} was not made with a mapping`);
  return { to, fromId: to.mapping.fromId, mapping: to.mapping };
}

// the parts whose current labels were made under the old version and are not mapped yet
const PENDING = `
  from public.parts p join public.datasets d on d.id = p.dataset_id
  join lateral (select r.id, r.revision_no, r.label_schema_id, r.source, r.document, r.face_checks::text[] as face_checks
                from public.annotation_revisions r where r.part_id = p.id order by r.revision_no desc limit 1) r on true
  where p.workspace_id = $1 and d.label_schema_id in ($2, $3)
    and (r.label_schema_id = $2 or r.label_schema_id is null)
    and not exists (select 1 from public.label_schema_mapped_parts mp where mp.to_schema_id = $3 and mp.part_id = p.id)`;

/** Where applying the mapping that made version `toId` stands. */
export async function mappingProgress(client: PoolClient, workspaceId: string, toId: string): Promise<MappingProgress> {
  const { to, fromId, mapping } = await mappingOf(client, workspaceId, toId);
  const datasets = await client.query<{ id: string; name: string }>(
    "select id, name from public.datasets where workspace_id = $1 and label_schema_id = $2 order by name",
    [workspaceId, fromId],
  );
  const counts = await client.query<{ remaining: number; done: number }>(
    `select (select count(*)::int ${PENDING}) as remaining,
            (select count(*)::int from public.label_schema_mapped_parts where to_schema_id = $3 and problem is null) as done`,
    [workspaceId, fromId, toId],
  );
  const marked = await client.query<{
    partId: string;
    name: string;
    datasetId: string;
    splitFaces: number;
    problem: string | null;
  }>(
    `select mp.part_id as "partId", p.name, p.dataset_id as "datasetId", mp.split_faces as "splitFaces", mp.problem
     from public.label_schema_mapped_parts mp join public.parts p on p.id = mp.part_id
     where mp.to_schema_id = $1 and (mp.split_faces > 0 or mp.problem is not null)
     order by p.name limit 500`,
    [toId],
  );
  return {
    from: { id: fromId, version: mapping.fromVersion },
    to: { id: to.id, name: to.name, version: to.version },
    datasetsOnOld: datasets.rows,
    done: counts.rows[0]?.done ?? 0,
    remaining: counts.rows[0]?.remaining ?? 0,
    flagged: marked.rows
      .filter((m) => m.problem === null)
      .map(({ partId, name, datasetId, splitFaces }) => ({ partId, name, datasetId, splitFaces })),
    problems: marked.rows
      .filter((m): m is typeof m & { problem: string } => m.problem !== null)
      .map(({ partId, name, datasetId, problem }) => ({ partId, name, datasetId, problem })),
  };
}

/**
 * Apply the mapping that made version `toId` to at most `limit` parts, in the caller's transaction:
 * first the datasets on the old version switch to the new one; then each part whose current labels
 * were made under the old version gets a NEW revision under the new version with its classes mapped
 * (old revisions are never touched). Each part is atomic (a savepoint): a part that cannot be mapped
 * (another face numbering now, a class the mapping misses) is recorded with the reason and nothing
 * written. A part is mapped once (recorded with the mapping), so running it again only continues.
 * Faces of a split class get the split's first class and the part is flagged for a person.
 */
export async function applyMappingBatch(
  client: PoolClient,
  input: { workspaceId: string; toId: string; limit: number },
): Promise<MappingProgress & { batch: number }> {
  const { to, fromId, mapping } = await mappingOf(client, input.workspaceId, input.toId);
  await client.query(
    "update public.datasets set label_schema_id = $3 where workspace_id = $1 and label_schema_id = $2",
    [input.workspaceId, fromId, to.id],
  );
  const newKeys = new Set(to.taxonomy.featureTypes.map((f) => f.key));
  const { rows } = await client.query<{
    partId: string;
    revisionId: string;
    revisionNo: number;
    source: string;
    document: unknown;
    faceChecks: FaceCheck[] | null;
  }>(
    `select p.id as "partId", r.id as "revisionId", r.revision_no as "revisionNo", r.source, r.document,
            r.face_checks as "faceChecks"
     ${PENDING} order by p.id limit $4 for update of p skip locked`,
    [input.workspaceId, fromId, to.id, input.limit],
  );
  for (const part of rows) {
    await client.query("savepoint map_part");
    let revisionId: string | null = null;
    let split = 0;
    let problem: string | null = null;
    try {
      const parsed = annotationDocumentSchema.safeParse(part.document);
      if (!parsed.success) throw new AppError("VALIDATION_FAILED", "its current labels are not a valid label document");
      const out = applyMapping(parsed.data, mapping.mapping, newKeys);
      if (out.unknown.length > 0) {
        throw new AppError(
          "VALIDATION_FAILED",
          `classes neither mapped nor in the new version: ${out.unknown.join(", ")}`,
        );
      }
      split = out.splitFaces.length;
      if (out.changed) {
        const document: AnnotationDocument = {
          ...out.document,
          provenance: {
            ...out.document.provenance,
            schemaMapping: {
              fromSchemaId: fromId,
              toSchemaId: to.id,
              fromRevision: part.revisionNo,
              splitFaces: out.splitFaces,
            },
          },
        };
        const written = await appendRevision(client, {
          workspaceId: input.workspaceId,
          partId: part.partId,
          document,
          source: "human",
          expectedRevision: part.revisionNo,
          faceChecks: part.source === "human" ? (part.faceChecks ?? undefined) : undefined,
        });
        revisionId = written.id;
      }
    } catch (e) {
      if (!(e instanceof AppError) || !e.isUserError) throw e;
      await client.query("rollback to savepoint map_part");
      problem = e.message.slice(0, 500);
      split = 0;
    }
    await client.query(
      `insert into public.label_schema_mapped_parts
         (to_schema_id, part_id, workspace_id, from_revision_id, revision_id, split_faces, problem, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, auth.uid())`,
      [to.id, part.partId, input.workspaceId, part.revisionId, revisionId, split, problem],
    );
    await client.query("release savepoint map_part");
  }
  return { ...(await mappingProgress(client, input.workspaceId, to.id)), batch: rows.length };
}

/**
 * How pre-labels reach a label schema version (service or member): the pre-labelers speak the classes
 * of the workspace's default schema's first version (the default taxonomy's keys). When `schemaId`
 * descends from that version through mappings, the mappings of the chain, oldest first (none: it is
 * that version); otherwise null (an unrelated schema, or a chain broken by a version made without a
 * mapping): its classes are kept by key. Null when there is no such version.
 */
export async function prelabelTranslation(client: PoolClient, schemaId: string): Promise<PrelabelTranslation | null> {
  const { rows } = await client.query<{
    depth: number;
    name: string;
    version: number;
    mapping: SchemaMapping | null;
    taxonomy: unknown;
    isFirstOfDefault: boolean;
  }>(
    `with recursive chain as (
       select s.id, s.workspace_id, s.name, s.version, 0 as depth, null::jsonb as mapping, s.taxonomy
       from public.label_schemas s where s.id = $1
       union all
       -- a version's mapping from the version before it (at most one: to_schema_id is the key)
       select f.id, f.workspace_id, f.name, f.version, c.depth + 1, m.mapping, null
       from chain c join public.label_schema_mappings m on m.to_schema_id = c.id
       join public.label_schemas f on f.id = m.from_schema_id
       where c.depth < 10000
     )
     select c.depth, c.name, c.version, c.mapping, c.taxonomy,
            c.version = 1 and exists (select 1 from public.label_schemas d where d.workspace_id = c.workspace_id
                                      and d.is_default and d.name = c.name) as "isFirstOfDefault"
     from chain c order by c.depth`,
    [schemaId],
  );
  const own = rows[0];
  const root = rows[rows.length - 1];
  if (!own || !root) return null;
  const taxonomy = parseTaxonomy(own.taxonomy, `${own.name} v${own.version}`);
  return {
    // row k + 1 holds the mapping from its version to row k's: oldest first is deepest first
    mappings: root.isFirstOfDefault
      ? rows
          .slice(1)
          .reverse()
          .map((r) => r.mapping as SchemaMapping)
      : null,
    keys: new Set(taxonomy.featureTypes.map((f) => f.key)),
    schema: `${own.name} v${own.version}`,
  };
}
