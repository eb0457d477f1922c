"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";

export interface SchemaOption {
  id: string;
  name: string;
  version: number;
}

/**
 * Which label schema version a dataset is labelled with: a choice for admins (refused while the
 * dataset's labels use classes the version lacks: a version's mapping is applied for that), text for others.
 */
export function DatasetSchemaPicker(props: {
  workspace: string;
  datasetId: string;
  current: SchemaOption | null;
  options: SchemaOption[];
  canEdit: boolean;
}) {
  const router = useRouter();
  const [value, setValue] = useState(props.current?.id ?? "");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const label = (o: SchemaOption) => `${o.name} v${o.version}`;

  if (!props.canEdit) {
    return (
      <p data-testid="dataset-schema">
        Label schema: <strong>{props.current ? label(props.current) : "none"}</strong>
      </p>
    );
  }

  async function choose(id: string) {
    const previous = value;
    setValue(id);
    setBusy(true);
    setMessage(null);
    try {
      await api("PUT", `/api/workspaces/${props.workspace}/label-schemas/${id}/datasets/${props.datasetId}`);
      const o = props.options.find((x) => x.id === id);
      setMessage({ ok: true, text: `Saved: labelled with ${o ? label(o) : "the chosen version"}.` });
      router.refresh();
    } catch (e) {
      setValue(previous);
      setMessage({ ok: false, text: `Not saved: ${messageOf(e)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="row" data-testid="dataset-schema">
      <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
        Label schema
        <select aria-label="Label schema" value={value} disabled={busy} onChange={(e) => void choose(e.target.value)}>
          {!props.current && <option value="">none</option>}
          {props.options.map((o) => (
            <option key={o.id} value={o.id}>
              {label(o)}
            </option>
          ))}
        </select>
      </label>
      <Link href={`/w/${props.workspace}/admin/schemas`}>Label schemas</Link>
      {message && (
        <span className={message.ok ? "notice" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </span>
      )}
    </div>
  );
}
