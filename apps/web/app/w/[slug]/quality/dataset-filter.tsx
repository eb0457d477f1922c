"use client";

import { useRouter } from "next/navigation";
import { DatasetOptions } from "@/components/dataset-options";

/**
 * The quality page's dataset filter, kept in the URL (`?dataset=<id>`): a GET form, so it works
 * without JavaScript too; with it, choosing a dataset applies at once.
 */
export function DatasetFilter(props: {
  workspace: string;
  datasets: Array<{ id: string; name: string }>;
  current: string | null;
}) {
  const router = useRouter();
  const base = `/w/${props.workspace}/quality`;
  return (
    <form method="get" action={base} className="row" data-testid="quality-filter">
      <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
        Dataset
        <select
          key={props.current ?? ""}
          name="dataset"
          aria-label="Dataset"
          defaultValue={props.current ?? ""}
          onChange={(e) => {
            const v = e.target.value;
            router.push(v ? `${base}?dataset=${encodeURIComponent(v)}` : base);
          }}
        >
          <DatasetOptions datasets={props.datasets} all="All datasets" />
        </select>
      </label>
      <noscript>
        <button type="submit">Apply</button>
      </noscript>
    </form>
  );
}
