"use client";

import { checkMapping, describeChange, parseLabelSchemaFile } from "@facet/core";
import type { LabelSchemaVersion, MappingProgress } from "@facet/db";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { formatUtc } from "@/lib/time-format";
import { ClassEditor, type EditorResult, TableHead } from "./class-editor";

type Editing = { kind: "new" } | { kind: "version"; from: LabelSchemaVersion } | null;

/**
 * The workspace's label schemas for admins: every version with its classes and datasets, a new
 * schema or a new version (classes edited, with the mapping from the old ones), the mapping applied
 * to existing labels in batches with its progress, and schemas as JSON files both ways.
 */
export function SchemasAdmin(props: { workspace: string; schemas: LabelSchemaVersion[] }) {
  const router = useRouter();
  const [selected, setSelected] = useState<string | null>(
    props.schemas.find((s) => s.isDefault)?.id ?? props.schemas[0]?.id ?? null,
  );
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const base = `/api/workspaces/${props.workspace}/label-schemas`;
  const names = [...new Set(props.schemas.map((s) => s.name))];
  const current = props.schemas.find((s) => s.id === selected) ?? null;

  async function save(r: EditorResult) {
    const made =
      editing?.kind === "version"
        ? await api<{ schema: LabelSchemaVersion }>("POST", `${base}/${editing.from.id}/versions`, {
            taxonomy: r.taxonomy,
            mapping: r.mapping,
          })
        : await api<{ schema: LabelSchemaVersion }>("POST", base, { name: r.name, taxonomy: r.taxonomy });
    setEditing(null);
    setSelected(made.schema.id);
    setNotice(`Saved ${made.schema.name} v${made.schema.version}.`);
    router.refresh();
  }

  return (
    <div className="stack">
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <table data-testid="label-schemas">
        <TableHead columns={["Schema", "Version", "Classes", "Datasets", "Made", ""]} />
        <tbody>
          {names.flatMap((n) =>
            props.schemas
              .filter((s) => s.name === n)
              .map((s) => (
                <tr
                  key={s.id}
                  data-testid="schema-version"
                  data-name={s.name}
                  data-version={s.version}
                  aria-selected={s.id === selected}
                >
                  <td>
                    {s.name} {s.isDefault && <span className="badge">default</span>}
                  </td>
                  <td>v{s.version}</td>
                  <td>{s.taxonomy.featureTypes.length}</td>
                  <td>{s.datasets.map((d) => d.name).join(", ") || <span className="muted">none</span>}</td>
                  <td className="muted">
                    {formatUtc(s.createdAt)}
                    {s.createdByEmail ? ` by ${s.createdByEmail}` : ""}
                  </td>
                  <td>
                    <span className="row" style={{ gap: 8 }}>
                      <button type="button" className="link" onClick={() => setSelected(s.id)}>
                        Show
                      </button>
                      <button type="button" className="link" onClick={() => setEditing({ kind: "version", from: s })}>
                        New version
                      </button>
                      <a href={`${base}/${s.id}?download=1`} download>
                        Download JSON
                      </a>
                    </span>
                  </td>
                </tr>
              )),
          )}
        </tbody>
      </table>
      <div className="row">
        <button type="button" onClick={() => setEditing({ kind: "new" })}>
          New schema
        </button>
      </div>
      {editing && (
        <ClassEditor
          key={editing.kind === "version" ? editing.from.id : "new"}
          base={editing.kind === "version" ? editing.from : null}
          nextVersion={
            editing.kind === "version"
              ? Math.max(...props.schemas.filter((s) => s.name === editing.from.name).map((s) => s.version)) + 1
              : 1
          }
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}
      {current && !editing && <VersionDetail workspace={props.workspace} schema={current} all={props.schemas} />}
      <ImportSchema
        workspace={props.workspace}
        onDone={(s) => {
          setSelected(s.id);
          setNotice(`Imported ${s.name} v${s.version}.`);
          router.refresh();
        }}
      />
    </div>
  );
}

function VersionDetail(props: { workspace: string; schema: LabelSchemaVersion; all: LabelSchemaVersion[] }) {
  const s = props.schema;
  const from = s.mapping ? props.all.find((x) => x.id === s.mapping?.fromId) : undefined;
  const changes = s.mapping && from ? checkMapping(from.taxonomy, s.taxonomy, s.mapping.mapping).changes : [];
  const crosswalks = Object.entries(s.taxonomy.crosswalks);
  return (
    <section className="stack" data-testid="schema-detail" aria-label={`${s.name} v${s.version}`}>
      <h2>
        {s.name} v{s.version}
      </h2>
      <table data-testid="schema-classes">
        <TableHead columns={["Class", "Key", "Hotkey", "Parent", "Parameters"]} />
        <tbody>
          {s.taxonomy.featureTypes.map((f) => (
            <tr key={f.key} data-key={f.key}>
              <td>
                <span
                  aria-hidden="true"
                  style={{ display: "inline-block", width: 12, height: 12, marginRight: 6, background: f.colour }}
                />
                {f.name}
              </td>
              <td>
                <code>{f.key}</code>
              </td>
              <td>{f.hotkey ?? ""}</td>
              <td>{f.parent ?? ""}</td>
              <td>{f.parameters.map((p) => `${p.name} (${p.unit})`).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {crosswalks.length
          ? `Crosswalks to public datasets: ${crosswalks.map(([n]) => n).join(", ")}.`
          : "No crosswalks to public datasets (only the default schema carries them)."}
      </p>
      {s.mapping && (
        <div className="stack" data-testid="schema-mapping">
          <strong>Made from v{s.mapping.fromVersion} with this mapping:</strong>
          <ul>
            {changes.filter((c) => c.kind !== "added").length === 0 && (
              <li className="muted">no class renamed, merged or split</li>
            )}
            {changes.map((c) => (
              <li key={describeChange(c)}>{describeChange(c)}</li>
            ))}
          </ul>
          <ApplyMapping workspace={props.workspace} schema={s} />
        </div>
      )}
    </section>
  );
}

/** Apply a version's mapping to the labels made under the version before, batch after batch, with progress. */
function ApplyMapping(props: { workspace: string; schema: LabelSchemaVersion }) {
  const router = useRouter();
  const url = `/api/workspaces/${props.workspace}/label-schemas/${props.schema.id}/apply`;
  const [progress, setProgress] = useState<MappingProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function load() {
    setError(null);
    try {
      setProgress((await api<{ progress: MappingProgress }>("GET", url)).progress);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function apply() {
    setRunning(true);
    setError(null);
    try {
      for (;;) {
        const r = await api<{ progress: MappingProgress & { batch: number } }>("POST", url, { limit: 25 });
        setProgress(r.progress);
        if (r.progress.remaining === 0 || r.progress.batch === 0) break;
      }
      router.refresh();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setRunning(false);
    }
  }

  const total = progress ? progress.done + progress.remaining + progress.problems.length : 0;
  const part = (id: string) => `/w/${props.workspace}/parts/${id}`;
  return (
    <div className="card stack" data-testid="apply-mapping">
      <p className="muted">
        Applying writes a new revision, under v{props.schema.version}, of each part whose current labels were made under
        v{props.schema.mapping?.fromVersion}, and moves the datasets on v{props.schema.mapping?.fromVersion} to v
        {props.schema.version}. Old revisions stay as they were; a part is never mapped twice. Faces of a split class
        get its first class, and their parts are listed below for someone to check.
      </p>
      <div className="row">
        <button className="primary" type="button" disabled={running} onClick={() => void apply()}>
          {running ? "Applying…" : "Apply mapping to existing labels"}
        </button>
        <button type="button" className="link" disabled={running} onClick={() => void load()}>
          Show progress
        </button>
      </div>
      {progress && (
        <div
          className="stack"
          data-testid="apply-progress"
          data-done={progress.done}
          data-remaining={progress.remaining}
        >
          <progress max={Math.max(total, 1)} value={total - progress.remaining} />
          <span role="status">
            {progress.done} of {total} part{total === 1 ? "" : "s"} mapped, {progress.remaining} remaining
            {progress.datasetsOnOld.length
              ? ` (datasets still on v${progress.from.version}: ${progress.datasetsOnOld.map((d) => d.name).join(", ")})`
              : ""}
            .
          </span>
          {progress.flagged.length > 0 && (
            <div data-testid="split-flagged">
              <strong>Check these parts: faces of a split class were given its first class.</strong>
              <ul>
                {progress.flagged.map((f) => (
                  <li key={f.partId}>
                    <Link href={part(f.partId)}>{f.name}</Link> ({f.splitFaces} face{f.splitFaces === 1 ? "" : "s"})
                  </li>
                ))}
              </ul>
            </div>
          )}
          {progress.problems.length > 0 && (
            <div data-testid="mapping-problems">
              <strong>Not mapped (nothing written; relabel them by hand):</strong>
              <ul>
                {progress.problems.map((p) => (
                  <li key={p.partId}>
                    <Link href={part(p.partId)}>{p.name}</Link>: {p.problem}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Paste or upload a schema file; checked here first (every problem listed), then by the server. */
function ImportSchema(props: { workspace: string; onDone: (s: LabelSchemaVersion) => void }) {
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [problems, setProblems] = useState<string[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseLabelSchemaFile(text);
    if (!parsed.ok) {
      setProblems(parsed.problems);
      return;
    }
    setProblems([]);
    try {
      const r = await api<{ schema: LabelSchemaVersion }>(
        "POST",
        `/api/workspaces/${props.workspace}/label-schemas/import`,
        {
          file: parsed.file,
          ...(name.trim() ? { name: name.trim() } : {}),
        },
      );
      setText("");
      setName("");
      props.onDone(r.schema);
    } catch (err) {
      setProblems([messageOf(err)]);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-label="Import a schema">
      <h2>Import a schema (JSON)</h2>
      <p className="muted">
        A file downloaded from this page (or written the same way) becomes a new schema, version 1.
      </p>
      <input
        type="file"
        accept="application/json,.json"
        aria-label="Schema file"
        onChange={async (e) => {
          const f = e.target.files?.[0];
          if (f) setText(await f.text());
        }}
      />
      <textarea
        aria-label="Schema JSON"
        rows={6}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder='{"format": "facet.label-schema", …}'
      />
      <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
        Name (optional: the file&apos;s otherwise){" "}
        <input
          aria-label="Imported schema name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={80}
        />
      </label>
      {problems.length > 0 && (
        <ul className="error" role="alert" data-testid="import-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="row">
        <button className="primary" type="submit" disabled={!text.trim()}>
          Import
        </button>
      </div>
    </form>
  );
}
