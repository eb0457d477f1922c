import { type CatalogFilter, catalogFilterQuery, isAppError, parseCatalogFilter, roleCan } from "@facet/core";
import {
  CATALOG_COUNT_CAP,
  type CatalogOptions,
  catalogOptions,
  countCatalog,
  featureNames,
  listDatasets,
  listSavedFilters,
  queryCatalog,
} from "@facet/db";
import type { Metadata } from "next";
import { CatalogBrowser, type CatalogBrowserProps } from "@/components/catalog/catalog-browser";
import { CATALOG_PAGE_PARAMS, CATALOG_PAGE_SIZE, toSearchParams } from "@/components/catalog/catalog-url";
import { DatasetsTable } from "@/components/datasets-table";
import { oneParam } from "@/lib/search-params";
import { requireWorkspace } from "@/lib/session.server";
import { CreateDataset } from "./create-dataset";

export const metadata: Metadata = { title: "Catalog" };

const EMPTY_OPTIONS: CatalogOptions = { features: [], tags: [], splits: [], annotators: [], surfaces: [] };

/** A refusal the person can act on (a filter, cursor or dataset in the address), or rethrow. */
function refusal(e: unknown): string {
  if (isAppError(e) && (e.code === "VALIDATION_FAILED" || e.code === "NOT_FOUND")) return e.message;
  throw e;
}

/**
 * The catalog: the workspace's datasets, then its parts filtered, sorted and paged as the address
 * says (the catalog filter syntax plus dataset, view and cursor), as a table or a thumbnail grid.
 */
export default async function CatalogPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const raw = await searchParams;
  const { workspace, run } = await requireWorkspace(slug);
  const base = `/w/${workspace.slug}/catalog`;
  const [datasets, names, saved] = await run(
    async (c) =>
      [
        await listDatasets(c, workspace.id),
        await featureNames(c, workspace.id),
        await listSavedFilters(c, workspace.id),
      ] as const,
  );

  let problem: string | null = null;
  let filter: CatalogFilter = { sort: { key: "added", descending: true } };
  try {
    filter = parseCatalogFilter(toSearchParams(raw), { ignore: CATALOG_PAGE_PARAMS });
  } catch (e) {
    problem = refusal(e);
  }
  const datasetRef = oneParam(raw.dataset);
  const dataset = datasetRef ? (datasets.find((d) => d.id === datasetRef || d.name === datasetRef) ?? null) : null;
  if (datasetRef && !dataset) problem ??= `no dataset "${datasetRef}" in this workspace`;
  const cursor = oneParam(raw.cursor);
  const scope = { workspaceId: workspace.id, datasetId: dataset?.id ?? null };

  // what the filters offer, with counts, reads the whole scope (about 0.4 s at 100 000 parts): not
  // awaited, so the page and its results come first and the filters follow when it is ready
  const options = run((c) => catalogOptions(c, scope)).catch(() => EMPTY_OPTIONS);
  let result: CatalogBrowserProps["result"] = null;
  if (!problem) {
    try {
      result = await run(async (c) => {
        const page = await queryCatalog(c, { ...scope, filter, cursor, limit: CATALOG_PAGE_SIZE });
        // exact up to the cap; beyond it "more than" (counting a broad filter would scan the catalog)
        const n = await countCatalog(c, { ...scope, filter, cap: CATALOG_COUNT_CAP });
        return {
          rows: page.parts,
          nextCursor: page.nextCursor,
          total: Math.min(n, CATALOG_COUNT_CAP),
          totalCapped: n > CATALOG_COUNT_CAP,
        };
      });
    } catch (e) {
      problem = refusal(e);
    }
  }

  return (
    <>
      <h1>Catalog</h1>
      <h2>Datasets</h2>
      <DatasetsTable workspace={workspace.slug} datasets={datasets} empty="No datasets yet." />
      {roleCan(workspace.role, "datasets.create") && <CreateDataset workspace={workspace.slug} />}
      <h2>Parts</h2>
      <CatalogBrowser
        workspace={workspace.slug}
        base={base}
        datasets={datasets.map((d) => ({ id: d.id, name: d.name }))}
        dataset={dataset?.id ?? null}
        view={raw.view === "grid" ? "grid" : "table"}
        filter={filter}
        query={catalogFilterQuery(filter)}
        cursor={cursor}
        result={result}
        problem={problem}
        options={options}
        featureNames={Object.fromEntries(names)}
        savedFilters={saved}
        canCurate={roleCan(workspace.role, "parts.curate")}
      />
    </>
  );
}
