import type pg from "pg";

/**
 * The schema of a migrated database as one readable SQL file (supabase/schema.sql), rendered from the
 * catalogs (no pg_dump: a fresh machine has none). Deterministic: the same migrations give the same
 * bytes, so a test can compare the committed file with what the migrations produce. For reading, not
 * for applying: the migrations are what deployments run.
 */

/** The schemas rendered, in this order: ours first, then what the bootstrap creates for plain PostgreSQL. */
export const DUMPED_SCHEMAS = ["public", "private", "auth"] as const;

/** Tables whose rows are part of the schema's meaning (written by migrations, read by the rules). */
const REFERENCE_DATA = new Set(["private.part_status_transitions"]);

const SCHEMA_NOTES: Record<(typeof DUMPED_SCHEMAS)[number], string> = {
  public: "what users reach, under row-level security: the data model and the functions of the API",
  private: "helpers of the policies, trigger functions and their steps, internal tables",
  auth: "as supabase/bootstrap creates it on a plain PostgreSQL (Supabase's own has more), with our triggers",
};

/** One connection: the rendering sets its search path for the transaction it runs in. */
export type SchemaClient = Pick<pg.ClientBase, "query">;

interface Relation {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  owner: number;
  acl: string[] | null;
  rls: boolean;
  forceRls: boolean;
  comment: string | null;
}

interface Privilege {
  grantee: string;
  privilege: string;
  grantable: boolean;
}

/** Code-unit order (bytes for our ASCII names), whatever the locale. */
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const ident = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
const qualified = (schema: string, name: string): string => `${ident(schema)}.${ident(name)}`;

/** The order privileges are listed in (the order of PostgreSQL's documentation). */
const PRIVILEGE_ORDER = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "TRUNCATE",
  "REFERENCES",
  "TRIGGER",
  "MAINTAIN",
  "USAGE",
  "CREATE",
  "EXECUTE",
];
const ALL_ON_TABLE = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"];

const byPrivilege = (a: string, b: string): number =>
  PRIVILEGE_ORDER.indexOf(a) - PRIVILEGE_ORDER.indexOf(b) || byCode(a, b);

/**
 * GRANT statements for the privileges of an ACL (the owner's own left out by aclOf): grantees holding
 * the same privileges share a line; every privilege of `all` is written ALL.
 */
function grantLines(privileges: Privilege[], on: string, all: string[]): string[] {
  const held = new Map<string, { grantee: string; grantable: boolean; privileges: Set<string> }>();
  for (const p of privileges) {
    const key = `${p.grantee} ${p.grantable}`;
    const entry = held.get(key) ?? { grantee: p.grantee, grantable: p.grantable, privileges: new Set<string>() };
    entry.privileges.add(p.privilege);
    held.set(key, entry);
  }
  const statements = new Map<string, string[]>(); // the statement, with %s for its grantees
  for (const { grantee, grantable, privileges: set } of held.values()) {
    const isAll = all.length > 0 && set.size === all.length && all.every((x) => set.has(x));
    const what = isAll ? "ALL" : [...set].sort(byPrivilege).join(", ");
    const statement = `GRANT ${what} ON ${on} TO %s${grantable ? " WITH GRANT OPTION" : ""};`;
    statements.set(statement, [...(statements.get(statement) ?? []), grantee]);
  }
  return [...statements]
    .map(([statement, grantees]) => statement.replace("%s", grantees.sort(byCode).join(", ")))
    .sort(byCode);
}

const commentLine = (on: string, comment: string | null): string[] =>
  comment === null ? [] : [`COMMENT ON ${on} IS ${literal(comment)};`];

const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** The rendered schema, ending with a newline. */
export async function renderSchema(client: SchemaClient): Promise<string> {
  await client.query("begin");
  try {
    // everything qualified (the output does not depend on the caller's search path), nothing quoted needlessly
    await client.query("set local search_path = ''");
    await client.query("set local quote_all_identifiers = off");
    const text = await render(client);
    await client.query("commit");
    return text;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  }
}

async function render(client: SchemaClient): Promise<string> {
  const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await client.query<R>(sql, params)).rows;

  const version = await q<{ major: string }>(
    "select (current_setting('server_version_num')::int / 10000)::text as major",
  );
  const [bookkeeping] = await q<{ present: boolean }>(
    "select to_regclass('supabase_migrations.schema_migrations') is not null as present",
  );
  const lastMigration = bookkeeping?.present
    ? await q<{ label: string | null }>(
        `select version || '_' || coalesce(name, '') as label from supabase_migrations.schema_migrations
         order by version desc limit 1`,
      )
    : [];

  const out: string[] = [];
  const contents: string[] = [];
  const body: string[] = [];

  for (const schema of DUMPED_SCHEMAS) {
    const section = await renderSchemaSection(q, schema);
    contents.push(...section.contents);
    body.push(...section.lines);
  }

  out.push(
    "-- supabase/schema.sql: the database schema in one file, for reading. GENERATED: do not edit.",
    "--",
    "-- Rendered from the catalogs of a freshly migrated database by packages/db/src/schema-dump.ts.",
    "-- Regenerate with `npm run db:schema` (an embedded PostgreSQL in a temporary folder, the bootstrap and",
    "-- every migration, then this file); packages/db/src/schema.db.test.ts fails while it is out of date.",
    "-- The migrations in supabase/migrations are the source: deployments apply them (append-only, tracked by",
    "-- version, never half-applied) and this file is what they add up to.",
    `-- Last migration: ${lastMigration[0]?.label ?? "(none)"}. PostgreSQL ${version[0]?.major}.`,
    "--",
    "-- Per schema: types; tables by name, each with its constraints, indexes, row-level security, policies,",
    "-- triggers and grants; views; functions by name (each once, with its grants). Without GRANT lines an",
    "-- object has PostgreSQL's defaults: a table its owner only, a function everyone (PUBLIC).",
    "--",
    "-- Contents",
    ...contents,
    "",
    ...body,
  );
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

type Query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]>;

async function renderSchemaSection(
  q: Query,
  schema: (typeof DUMPED_SCHEMAS)[number],
): Promise<{ contents: string[]; lines: string[] }> {
  const lines: string[] = [];
  const [ns] = await q<{ oid: number; owner: number; acl: string[] | null; comment: string | null }>(
    `select n.oid, n.nspowner as owner, n.nspacl::text[] as acl, obj_description(n.oid, 'pg_namespace') as comment
     from pg_namespace n where n.nspname = $1`,
    [schema],
  );
  if (!ns) return { contents: [], lines: [] };

  const banner = `${"=".repeat(100)}`;
  lines.push(`-- ${banner}`, `-- Schema ${schema}: ${SCHEMA_NOTES[schema]}`, `-- ${banner}`, "");
  lines.push(`CREATE SCHEMA ${ident(schema)};`);
  lines.push(...grantLines(await aclOf(q, ns.acl, ns.owner), `SCHEMA ${ident(schema)}`, []));
  lines.push(...commentLine(`SCHEMA ${ident(schema)}`, ns.comment), "");

  // Types (enums, domains, standalone composite types) -------------------------------------------
  const types = await q<{ oid: number; name: string; kind: string; relkind: string | null }>(
    `select t.oid, t.typname as name, t.typtype as kind, c.relkind::text as relkind
     from pg_type t left join pg_class c on c.oid = t.typrelid
     where t.typnamespace = $1 and t.typcategory <> 'A' and t.typtype <> 'p'
       and (t.typtype <> 'c' or c.relkind = 'c')
       and not exists (select 1 from pg_depend d where d.objid = t.oid and d.deptype = 'e')
     order by t.typname collate "C"`,
    [ns.oid],
  );
  for (const t of types) {
    const name = qualified(schema, t.name);
    if (t.kind === "e") {
      const labels = await q<{ label: string }>(
        "select enumlabel as label from pg_enum where enumtypid = $1 order by enumsortorder",
        [t.oid],
      );
      lines.push(`CREATE TYPE ${name} AS ENUM (${labels.map((l) => literal(l.label)).join(", ")});`);
    } else if (t.kind === "d") {
      const [d] = await q<{ base: string; notnull: boolean; def: string | null }>(
        `select format_type(t.typbasetype, t.typtypmod) as base, t.typnotnull as notnull, t.typdefault as def
         from pg_type t where t.oid = $1`,
        [t.oid],
      );
      const checks = await q<{ name: string; def: string }>(
        `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
         where contypid = $1 and contype = 'c' order by conname collate "C"`,
        [t.oid],
      );
      lines.push(
        `CREATE DOMAIN ${name} AS ${d?.base}${d?.def ? ` DEFAULT ${d.def}` : ""}${d?.notnull ? " NOT NULL" : ""}${checks
          .map((c) => `\n  CONSTRAINT ${ident(c.name)} ${c.def}`)
          .join("")};`,
      );
    } else if (t.kind === "c") {
      const attrs = await q<{ name: string; type: string }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
         from pg_type t join pg_attribute a on a.attrelid = t.typrelid
         where t.oid = $1 and a.attnum > 0 and not a.attisdropped order by a.attnum`,
        [t.oid],
      );
      lines.push(`CREATE TYPE ${name} AS (${attrs.map((a) => `${ident(a.name)} ${a.type}`).join(", ")});`);
    } else {
      throw new Error(`schema dump: type ${name} of kind '${t.kind}' is not rendered; teach schema-dump.ts`);
    }
    const [c] = await q<{ comment: string | null }>("select obj_description($1, 'pg_type') as comment", [t.oid]);
    lines.push(...commentLine(`TYPE ${name}`, c?.comment ?? null));
  }
  if (types.length > 0) lines.push("");

  // Relations --------------------------------------------------------------------------------------
  const relations = await q<Relation>(
    `select c.oid, $2::text as schema, c.relname as name, c.relkind::text as kind, c.relowner as owner,
            c.relacl::text[] as acl, c.relrowsecurity as rls, c.relforcerowsecurity as "forceRls",
            obj_description(c.oid, 'pg_class') as comment
     from pg_class c
     where c.relnamespace = $1 and c.relkind not in ('i', 'I', 't', 'c')
       and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('e', 'i'))
     order by c.relname collate "C"`,
    [ns.oid, schema],
  );
  const unsupported = relations.find((r) => !["r", "v", "m", "S"].includes(r.kind));
  if (unsupported) {
    throw new Error(
      `schema dump: ${schema}.${unsupported.name} (relkind '${unsupported.kind}') is not rendered; teach schema-dump.ts`,
    );
  }
  // sequences owned by a column (serial) go with their table
  const ownedSequences = await q<{ seq: string; tableOid: number; column: string }>(
    `select s.relname as seq, d.refobjid::int as "tableOid", a.attname as column
     from pg_class s join pg_depend d on d.objid = s.oid and d.deptype = 'a' and d.refobjsubid > 0
     join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
     where s.relnamespace = $1 and s.relkind = 'S'`,
    [ns.oid],
  );
  const tables = relations.filter((r) => r.kind === "r");
  const views = relations.filter((r) => r.kind === "v" || r.kind === "m");
  const sequences = relations.filter((r) => r.kind === "S" && !ownedSequences.some((o) => o.seq === r.name));

  for (const t of tables) {
    lines.push(...(await renderTable(q, t, ownedSequences)), "");
  }
  for (const v of views) {
    const [def] = await q<{ def: string }>("select pg_get_viewdef($1::oid, true) as def", [v.oid]);
    const name = qualified(schema, v.name);
    lines.push(`CREATE ${v.kind === "m" ? "MATERIALIZED VIEW" : "VIEW"} ${name} AS`, (def?.def ?? "").trimEnd());
    lines.push(...grantLines(await aclOf(q, v.acl, v.owner), `TABLE ${name}`, ALL_ON_TABLE));
    lines.push(...commentLine(`VIEW ${name}`, v.comment), "");
  }
  for (const s of sequences) {
    const name = qualified(schema, s.name);
    lines.push(`CREATE SEQUENCE ${name};`);
    lines.push(...grantLines(await aclOf(q, s.acl, s.owner), `SEQUENCE ${name}`, []), "");
  }

  // Functions --------------------------------------------------------------------------------------
  const functions = await q<{
    oid: number;
    name: string;
    args: string;
    kind: string;
    owner: number;
    acl: string[] | null;
    comment: string | null;
  }>(
    `select p.oid, p.proname as name, pg_get_function_identity_arguments(p.oid) as args, p.prokind::text as kind,
            p.proowner as owner, p.proacl::text[] as acl, obj_description(p.oid, 'pg_proc') as comment
     from pg_proc p
     where p.pronamespace = $1
       and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
     order by p.proname collate "C", pg_get_function_identity_arguments(p.oid) collate "C"`,
    [ns.oid],
  );
  if (functions.length > 0) {
    lines.push(`-- Functions of ${schema} ${"-".repeat(Math.max(0, 83 - schema.length))}`, "");
  }
  for (const f of functions) {
    if (f.kind !== "f" && f.kind !== "p") {
      throw new Error(`schema dump: ${schema}.${f.name} (prokind '${f.kind}') is not rendered; teach schema-dump.ts`);
    }
    const [def] = await q<{ def: string }>("select pg_get_functiondef($1::oid) as def", [f.oid]);
    const signature = `${f.kind === "p" ? "PROCEDURE" : "FUNCTION"} ${qualified(schema, f.name)}(${f.args})`;
    lines.push(`${(def?.def ?? "").trimEnd()};`);
    if (f.acl !== null) {
      const privileges = await aclOf(q, f.acl, f.owner);
      if (!privileges.some((p) => p.grantee === "PUBLIC")) lines.push(`REVOKE ALL ON ${signature} FROM PUBLIC;`);
      lines.push(
        ...grantLines(
          privileges.filter((p) => p.grantee !== "PUBLIC"),
          signature,
          [],
        ),
      );
    }
    lines.push(...commentLine(signature, f.comment), "");
  }

  const contents = [
    `--   ${schema}: ${SCHEMA_NOTES[schema]}`,
    ...wrap(
      `tables: ${tables.map((t) => t.name).join(", ") || "none"}${views.length ? `; views: ${views.map((v) => v.name).join(", ")}` : ""}`,
      "--     ",
    ),
    `--     ${functions.length} functions`,
  ];
  return { contents, lines };
}

/** A list wrapped at 110 columns, each line starting with `prefix`. */
function wrap(text: string, prefix: string): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && prefix.length + line.length + 1 + word.length > 110) {
      out.push(prefix + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(prefix + line);
  return out;
}

/** An ACL's entries as (grantee, privilege) pairs, the owner's own left out; PUBLIC for grantee 0. */
async function aclOf(q: Query, acl: string[] | null, owner: number): Promise<Privilege[]> {
  if (acl === null) return [];
  return q<Privilege>(
    `select case when a.grantee = 0 then 'PUBLIC' else quote_ident(r.rolname) end as grantee,
            a.privilege_type as privilege, a.is_grantable as grantable
     from aclexplode($1::text[]::aclitem[]) a left join pg_roles r on r.oid = a.grantee
     where a.grantee <> $2`,
    [acl, owner],
  );
}

async function renderTable(
  q: Query,
  t: Relation,
  ownedSequences: Array<{ seq: string; tableOid: number; column: string }>,
): Promise<string[]> {
  const name = qualified(t.schema, t.name);
  const lines: string[] = [];

  const columns = await q<{
    name: string;
    type: string;
    notnull: boolean;
    identity: string;
    generated: string;
    def: string | null;
    collation: string | null;
    acl: string[] | null;
    comment: string | null;
  }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
            a.attidentity::text as identity, a.attgenerated::text as generated,
            pg_get_expr(d.adbin, d.adrelid) as def,
            case when a.attcollation <> 0 and a.attcollation <> ty.typcollation
                 then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end as collation,
            a.attacl::text[] as acl, col_description(a.attrelid, a.attnum) as comment
     from pg_attribute a join pg_type ty on ty.oid = a.atttypid
     left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     left join pg_collation co on co.oid = a.attcollation
     left join pg_namespace cn on cn.oid = co.collnamespace
     where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
     order by a.attnum`,
    [t.oid],
  );
  const constraints = await q<{ name: string; def: string }>(
    `select conname as name, pg_get_constraintdef(oid, true) as def from pg_constraint
     where conrelid = $1 and contype in ('p', 'u', 'f', 'c', 'x') and not coninhcount > 0
     order by conname collate "C"`,
    [t.oid],
  );
  const items = [
    ...columns.map((c) => {
      let line = `${ident(c.name)} ${c.type}`;
      if (c.collation) line += ` COLLATE ${c.collation}`;
      if (c.identity === "a") line += " GENERATED ALWAYS AS IDENTITY";
      else if (c.identity === "d") line += " GENERATED BY DEFAULT AS IDENTITY";
      else if (c.generated === "s") line += ` GENERATED ALWAYS AS (${c.def}) STORED`;
      else if (c.generated === "v") line += ` GENERATED ALWAYS AS (${c.def}) VIRTUAL`;
      else if (c.def !== null) line += ` DEFAULT ${c.def}`;
      if (c.notnull) line += " NOT NULL";
      return line;
    }),
    ...constraints.map((c) => `CONSTRAINT ${ident(c.name)} ${c.def}`),
  ];
  lines.push(`CREATE TABLE ${name} (`, ...items.map((l, i) => `  ${l}${i < items.length - 1 ? "," : ""}`), ");");
  for (const s of ownedSequences.filter((o) => o.tableOid === t.oid).sort((a, b) => byCode(a.seq, b.seq))) {
    lines.push(
      `-- ${ident(s.column)} takes its values from the sequence ${qualified(t.schema, s.seq)} (owned by the column)`,
    );
  }

  const indexes = await q<{ def: string }>(
    `select pg_get_indexdef(i.indexrelid) as def
     from pg_index i join pg_class ic on ic.oid = i.indexrelid
     where i.indrelid = $1 and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = $1)
     order by ic.relname collate "C"`,
    [t.oid],
  );
  lines.push(...indexes.map((i) => `${i.def};`));

  if (t.rls) lines.push(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`);
  if (t.forceRls) lines.push(`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY;`);
  const policies = await q<{
    name: string;
    permissive: boolean;
    cmd: string;
    roles: string[];
    qual: string | null;
    check: string | null;
  }>(
    `select p.polname as name, p.polpermissive as permissive, p.polcmd::text as cmd,
            array(select case when r = 0 then 'public' else quote_ident(ro.rolname) end
                  from unnest(p.polroles) r left join pg_roles ro on ro.oid = r order by 1) as roles,
            pg_get_expr(p.polqual, p.polrelid, true) as qual, pg_get_expr(p.polwithcheck, p.polrelid, true) as check
     from pg_policy p where p.polrelid = $1 order by p.polname collate "C"`,
    [t.oid],
  );
  const CMD: Record<string, string> = { r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE", "*": "ALL" };
  for (const p of policies) {
    const parts = [
      `CREATE POLICY ${ident(p.name)} ON ${name}`,
      ...(p.permissive ? [] : ["  AS RESTRICTIVE"]),
      `  FOR ${CMD[p.cmd] ?? p.cmd} TO ${[...p.roles].sort(byCode).join(", ")}`,
      ...(p.qual !== null ? [`  USING (${p.qual})`] : []),
      ...(p.check !== null ? [`  WITH CHECK (${p.check})`] : []),
    ];
    lines.push(`${parts.join("\n")};`);
  }

  const triggers = await q<{ def: string }>(
    `select pg_get_triggerdef(oid, true) as def from pg_trigger
     where tgrelid = $1 and not tgisinternal order by tgname collate "C"`,
    [t.oid],
  );
  lines.push(...triggers.map((tr) => `${tr.def};`));

  lines.push(...grantLines(await aclOf(q, t.acl, t.owner), `TABLE ${name}`, ALL_ON_TABLE));
  const columnGrants: Privilege[] = [];
  for (const c of columns) {
    for (const p of await aclOf(q, c.acl, t.owner)) {
      columnGrants.push({ ...p, privilege: `${p.privilege} (${ident(c.name)})` });
    }
  }
  lines.push(...grantLines(columnGrants, `TABLE ${name}`, []));

  lines.push(...commentLine(`TABLE ${name}`, t.comment));
  for (const c of columns) lines.push(...commentLine(`COLUMN ${name}.${ident(c.name)}`, c.comment));

  if (REFERENCE_DATA.has(`${t.schema}.${t.name}`)) {
    const values = columns.map((c) => `quote_nullable(x.${ident(c.name)}::text)`).join(", ', ', ");
    const order = columns.map((c) => `x.${ident(c.name)}`).join(", ");
    const rows = await q<{ row: string }>(`select concat(${values}) as row from ${name} x order by ${order}`);
    lines.push(
      "-- its rows (reference data written by the migrations):",
      `INSERT INTO ${name} (${columns.map((c) => ident(c.name)).join(", ")}) VALUES`,
      ...rows.map((r, i) => `  (${r.row})${i < rows.length - 1 ? "," : ";"}`),
    );
  }
  return lines;
}
