"use client";

import { type AuditFilter, auditFilterQuery } from "@facet/core";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

/**
 * The audit log's filter form: who, what (an action or a prefix such as `part.`), which dataset or
 * part, which days. Applying it puts the filter in the address (the syntax of the API and the CSV).
 */
export function AuditFilters(props: {
  base: string;
  filter: AuditFilter;
  members: Array<{ id: string; label: string }>;
  datasets: Array<{ id: string; name: string }>;
}) {
  const router = useRouter();
  const [actor, setActor] = useState(props.filter.actor ?? "");
  const [action, setAction] = useState(props.filter.action ?? "");
  const [dataset, setDataset] = useState(props.filter.dataset ?? "");
  const [part, setPart] = useState(props.filter.part ?? "");
  const [from, setFrom] = useState(props.filter.period?.min ?? "");
  const [to, setTo] = useState(props.filter.period?.max ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = auditFilterQuery({
      actor: actor || undefined,
      action: action.trim() || undefined,
      dataset: dataset || undefined,
      part: part.trim() || undefined,
      period: from || to ? { min: from || undefined, max: to || undefined } : undefined,
    });
    router.push(q ? `${props.base}?${q}` : props.base);
  };
  return (
    <form className="audit-filters row" onSubmit={submit} aria-label="Filter the audit log">
      <label>
        Who
        <select aria-label="Who" value={actor} onChange={(e) => setActor(e.currentTarget.value)}>
          <option value="">Anyone</option>
          {props.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Action
        <input
          aria-label="Action"
          placeholder="part. or part.status_changed"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
        />
      </label>
      <label>
        Dataset
        <select aria-label="Dataset" value={dataset} onChange={(e) => setDataset(e.currentTarget.value)}>
          <option value="">Any</option>
          {props.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Part id
        <input aria-label="Part id" value={part} onChange={(e) => setPart(e.currentTarget.value)} />
      </label>
      <label>
        From
        <input aria-label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <label>
        To
        <input aria-label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </label>
      <button type="submit">Apply</button>
      {(props.filter.actor ||
        props.filter.action ||
        props.filter.dataset ||
        props.filter.part ||
        props.filter.period) && (
        <a href={props.base} className="button">
          Clear
        </a>
      )}
    </form>
  );
}
