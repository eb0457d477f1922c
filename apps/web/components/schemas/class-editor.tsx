"use client";

import {
  type ClassDraft,
  checkMapping,
  describeChange,
  draftFeatureTypes,
  type FeatureType,
  issueLines,
  type MergeDraft,
  mappingFromDrafts,
  type ParameterDefinition,
  type SchemaMapping,
  type Taxonomy,
  taxonomySchema,
} from "@facet/core";
import { type FormEvent, useMemo, useState } from "react";

const UNITS: ParameterDefinition["unit"][] = ["mm", "deg", "count"];
const HOTKEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

let uidCounter = 0;
const uid = () => `c${++uidCounter}`;

function draftsOf(types: readonly FeatureType[]): ClassDraft[] {
  const rows = types.map((t) => ({ uid: uid(), from: t.key, parent: null as string | null, type: { ...t } }));
  for (const r of rows) {
    const parent = (r.type as FeatureType).parent;
    r.parent = parent ? (rows.find((p) => p.type.key === parent)?.uid ?? null) : null;
    delete (r.type as FeatureType).parent;
  }
  return rows;
}

/** Problems of the classes being edited, each naming its class (row number and key) where it has a path. */
function taxonomyProblems(t: unknown, rows: readonly ClassDraft[]): string[] {
  const r = taxonomySchema.safeParse(t);
  if (r.success) return [];
  return r.error.issues.slice(0, 20).map((i) => {
    const [first, index, ...rest] = i.path;
    if (first === "featureTypes" && typeof index === "number") {
      const row = rows[index];
      const [line] = issueLines([{ path: rest, message: i.message }]);
      return `Class ${index + 1}${row?.type.key ? ` (${row.type.key})` : ""}: ${line}`;
    }
    return issueLines([i])[0] as string;
  });
}

export interface EditorResult {
  name: string;
  taxonomy: Taxonomy;
  mapping: SchemaMapping;
}

/**
 * Edit classes for a new schema (no base) or the next version of one (base): key, name, colour,
 * hotkey, parent, parameters with units. Against a base, renaming, splitting and merging classes
 * build the mapping from the old classes, shown as it grows; problems are listed before saving.
 */
export function ClassEditor(props: {
  base: { name: string; version: number; taxonomy: Taxonomy } | null;
  /** The number the new version will have (the schema's newest + 1, whichever version it starts from). */
  nextVersion?: number;
  onSave: (r: EditorResult) => Promise<void>;
  onCancel: () => void;
}) {
  const { base } = props;
  const next = props.nextVersion ?? (base ? base.version + 1 : 1);
  const [name, setName] = useState(base?.name ?? "");
  const [rows, setRows] = useState<ClassDraft[]>(() =>
    base
      ? draftsOf(base.taxonomy.featureTypes)
      : [
          {
            uid: uid(),
            from: null,
            parent: null,
            type: { key: "stock", name: "Stock", colour: "#b8bcc4", hotkey: "1", isStock: true, parameters: [] },
          },
        ],
  );
  const [merges, setMerges] = useState<MergeDraft[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const oldKeys = useMemo(() => base?.taxonomy.featureTypes.map((f) => f.key) ?? [], [base]);
  const taxonomy = { featureTypes: draftFeatureTypes(rows), crosswalks: {} };
  const mapping = mappingFromDrafts(oldKeys, rows, merges);
  const checked = base ? checkMapping(base.taxonomy, taxonomy, mapping) : { problems: [], changes: [] };
  const problems = [
    ...(base || name.trim() ? [] : ["the schema needs a name"]),
    ...taxonomyProblems(taxonomy, rows),
    ...checked.problems,
  ];

  const update = (u: string, patch: Partial<ClassDraft["type"]>) =>
    setRows((rs) => rs.map((r) => (r.uid === u ? { ...r, type: { ...r.type, ...patch } } : r)));
  const setParent = (u: string, parent: string | null) =>
    setRows((rs) => rs.map((r) => (r.uid === u ? { ...r, parent } : r)));

  function split(r: ClassDraft) {
    const at = rows.indexOf(r);
    const copy: ClassDraft = {
      uid: uid(),
      from: r.from,
      parent: r.parent,
      type: { ...r.type, key: `${r.type.key}_2`, name: `${r.type.name} (2)`, hotkey: null },
    };
    setRows([...rows.slice(0, at + 1), copy, ...rows.slice(at + 1)]);
  }

  function mergeInto(r: ClassDraft, into: string) {
    const others = rows.filter((o) => o.uid !== r.uid);
    if (r.from !== null && !others.some((o) => o.from === r.from)) setMerges([...merges, { from: r.from, into }]);
    setRows(others.map((o) => (o.parent === r.uid ? { ...o, parent: null } : o)));
  }

  function undoMerge(m: MergeDraft) {
    const t = base?.taxonomy.featureTypes.find((f) => f.key === m.from);
    setMerges(merges.filter((x) => x !== m));
    if (t) setRows([...rows, ...draftsOf([t])]);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (problems.length > 0) return;
    setSaving(true);
    setError(null);
    try {
      await props.onSave({ name: name.trim(), taxonomy: taxonomySchema.parse(taxonomy), mapping });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  }

  const keyOfUid = new Map(rows.map((r) => [r.uid, r.type.key]));
  return (
    <form className="card stack" onSubmit={submit} aria-label={base ? `New version of ${base.name}` : "New schema"}>
      <h2>{base ? `${base.name}: version ${next} (from v${base.version})` : "New schema"}</h2>
      {!base && (
        <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
          Name{" "}
          <input
            aria-label="Schema name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={80}
            required
          />
        </label>
      )}
      {base && (
        <p className="muted">
          Rename a class by editing its key; <strong>Split</strong> makes several classes of one (existing labels go to
          the first of them, and their parts are flagged for a person to check); <strong>Merge into</strong> folds a
          class into another. Saving makes a new version: existing labels change only when you apply the mapping.
        </p>
      )}
      <table data-testid="class-editor">
        <TableHead columns={["Key", "Name", "Colour", "Hotkey", "Parent", "Parameters", base ? "From" : "", ""]} />
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.uid} data-testid="class-row" data-key={r.type.key}>
              <td>
                <input
                  aria-label={`Key of class ${i + 1}`}
                  value={r.type.key}
                  size={18}
                  onChange={(e) => update(r.uid, { key: e.target.value.trim() })}
                />
              </td>
              <td>
                <input
                  aria-label={`Name of class ${i + 1}`}
                  value={r.type.name}
                  size={18}
                  onChange={(e) => update(r.uid, { name: e.target.value })}
                />
              </td>
              <td>
                <span className="row" style={{ gap: 4 }}>
                  <span
                    aria-hidden="true"
                    style={{
                      display: "inline-block",
                      width: 14,
                      height: 14,
                      border: "1px solid #888",
                      background: /^#[0-9a-f]{6}$/i.test(r.type.colour) ? r.type.colour : "transparent",
                    }}
                  />
                  <input
                    aria-label={`Colour of class ${i + 1}`}
                    value={r.type.colour}
                    size={8}
                    onChange={(e) => update(r.uid, { colour: e.target.value.trim() })}
                  />
                </span>
              </td>
              <td>
                <select
                  aria-label={`Hotkey of class ${i + 1}`}
                  value={r.type.hotkey ?? ""}
                  onChange={(e) => update(r.uid, { hotkey: e.target.value || null })}
                >
                  <option value="">none</option>
                  {HOTKEYS.map((h) => (
                    <option key={h} value={h}>
                      {h}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select
                  aria-label={`Parent of class ${i + 1}`}
                  value={r.parent ?? ""}
                  onChange={(e) => setParent(r.uid, e.target.value || null)}
                >
                  <option value="">none</option>
                  <OtherClasses rows={rows} except={r.uid} />
                </select>
              </td>
              <td>
                <Parameters
                  params={r.type.parameters}
                  label={`class ${i + 1}`}
                  onChange={(parameters) => update(r.uid, { parameters })}
                />
              </td>
              <td className="muted">
                {base ? (r.from === null ? "new" : r.from === r.type.key ? "" : `was ${r.from}`) : ""}
              </td>
              <td>
                <span className="row" style={{ gap: 4 }}>
                  {base && r.from !== null && (
                    <button type="button" className="link" onClick={() => split(r)}>
                      Split
                    </button>
                  )}
                  {r.from !== null && base ? (
                    <select
                      aria-label={`Merge class ${i + 1} into`}
                      value=""
                      onChange={(e) => e.target.value && mergeInto(r, e.target.value)}
                    >
                      <option value="">Merge into…</option>
                      <OtherClasses rows={rows} except={r.uid} />
                    </select>
                  ) : (
                    rows.length > 1 && (
                      <button
                        type="button"
                        className="link"
                        onClick={() => setRows(rows.filter((o) => o.uid !== r.uid))}
                      >
                        Remove
                      </button>
                    )
                  )}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          onClick={() =>
            setRows([
              ...rows,
              {
                uid: uid(),
                from: null,
                parent: null,
                type: {
                  key: `class_${rows.length + 1}`,
                  name: `Class ${rows.length + 1}`,
                  colour: "#808080",
                  hotkey: null,
                  isStock: false,
                  parameters: [],
                },
              },
            ])
          }
        >
          Add a class
        </button>
      </div>
      {merges.length > 0 && (
        <ul data-testid="merged-classes">
          {merges.map((m) => (
            <li key={m.from}>
              {m.from} merged into {keyOfUid.get(m.into) ?? "(a removed class)"}{" "}
              <button type="button" className="link" onClick={() => undoMerge(m)}>
                Undo
              </button>
            </li>
          ))}
        </ul>
      )}
      {base && checked.changes.length > 0 && (
        <div data-testid="mapping-changes">
          <strong>Mapping from v{base.version}:</strong>
          <ul>
            {checked.changes.map((c) => (
              <li key={describeChange(c)}>{describeChange(c)}</li>
            ))}
          </ul>
        </div>
      )}
      {problems.length > 0 && (
        <ul className="error" role="alert" data-testid="schema-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          Not saved: {error}
        </p>
      )}
      <div className="row">
        <button className="primary" type="submit" disabled={saving || problems.length > 0}>
          {base ? `Save version ${next}` : "Create schema"}
        </button>
        <button type="button" className="link" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The other rows of the editor as options (a parent, a class to merge into), by row. */
function OtherClasses(props: { rows: readonly ClassDraft[]; except: string }) {
  return props.rows
    .filter((o) => o.uid !== props.except)
    .map((o) => (
      <option key={o.uid} value={o.uid}>
        {o.type.key}
      </option>
    ));
}

/** A table's header row. */
export function TableHead(props: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed, and several are blank
          <th key={i}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

/** A class's parameters: key, name and unit each; add and remove. */
function Parameters(props: {
  params: ParameterDefinition[];
  label: string;
  onChange: (p: ParameterDefinition[]) => void;
}) {
  const [key, setKey] = useState("");
  const [unit, setUnit] = useState<ParameterDefinition["unit"]>("mm");
  return (
    <details>
      <summary>{props.params.length ? props.params.map((p) => `${p.key} (${p.unit})`).join(", ") : "none"}</summary>
      <ul>
        {props.params.map((p) => (
          <li key={p.key}>
            {p.name} <code>{p.key}</code> in {p.unit}{" "}
            <button type="button" className="link" onClick={() => props.onChange(props.params.filter((x) => x !== p))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <span className="row" style={{ gap: 4 }}>
        <input
          aria-label={`New parameter of ${props.label}`}
          placeholder="key"
          value={key}
          size={10}
          onChange={(e) => setKey(e.target.value.trim())}
        />
        <select
          aria-label={`Unit of the new parameter of ${props.label}`}
          value={unit}
          onChange={(e) => setUnit(e.target.value as ParameterDefinition["unit"])}
        >
          {UNITS.map((u) => (
            <option key={u}>{u}</option>
          ))}
        </select>
        <button
          type="button"
          disabled={!key}
          onClick={() => {
            props.onChange([...props.params, { key, name: key.replaceAll("_", " "), unit, measuredFrom: "manual" }]);
            setKey("");
          }}
        >
          Add
        </button>
      </span>
    </details>
  );
}
