import { assignSplits, groupsFromPairs, JOB_KINDS, jobRunSchema, type SplitItem, type SplitOutcome } from "@facet/core";
import {
  applySplits,
  completeJob,
  failSplitJob,
  getSplitConfig,
  nearDuplicatePairs,
  type Pool,
  setJobProgress,
  splitCandidates,
  startSplitJob,
  withService,
} from "@facet/db";
import { NEAR_DUPLICATE_DISTANCE } from "@facet/geometry";

export const SPLIT = JOB_KINDS.split;

export interface SplitDeps {
  pool: Pool;
  runnerName?: "graphile-worker" | "trigger.dev";
  /** Fingerprint distance under which two parts are near-duplicates (the geometry's calibrated one). */
  nearDuplicateDistance?: number;
  log: (line: string) => void;
}

/**
 * Assign a split to every part of a dataset that has none: near-duplicates grouped by their
 * geometry fingerprints, the dataset's config (packages/core splits.ts) deciding. Parts that have
 * a split keep it; running it again with nothing new changes nothing.
 */
export async function splitDataset(deps: SplitDeps, rawPayload: unknown): Promise<SplitOutcome | null> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  const job = await withService(deps.pool, (c) => startSplitJob(c, jobId, deps.runnerName ?? "graphile-worker"));
  if (!job) return null;
  try {
    return await assign(deps, jobId, job);
  } catch (e) {
    // deterministic work on the database: trying again would fail the same way
    const reason = `the split assignment stopped: ${(e as Error).message}`;
    await withService(deps.pool, (c) => failSplitJob(c, jobId, reason));
    deps.log(`split ${job.datasetId}: ${reason}`);
    return null;
  }
}

async function assign(
  deps: SplitDeps,
  jobId: string,
  job: { workspaceId: string; datasetId: string },
): Promise<SplitOutcome> {
  const progress = (value: number, message: string) =>
    withService(deps.pool, (c) => setJobProgress(c, jobId, value, message));

  const { config } = await withService(deps.pool, (c) => getSplitConfig(c, job.workspaceId, job.datasetId));
  const parts = await withService(deps.pool, (c) => splitCandidates(c, job.datasetId));
  await progress(0.2, "finding near-duplicate shapes");
  const pairs = config.groupNearDuplicates
    ? await withService(deps.pool, (c) =>
        nearDuplicatePairs(c, job.datasetId, deps.nearDuplicateDistance ?? NEAR_DUPLICATE_DISTANCE),
      )
    : [];
  const group = groupsFromPairs(
    parts.map((p) => ({ id: p.id, key: p.blobSha256 })),
    pairs,
  );
  await progress(0.6, "assigning splits");
  const items: SplitItem[] = parts.map((p) => ({
    id: p.id,
    group: group.get(p.id) as string,
    classes: p.features,
    split: p.split,
  }));
  const { assigned, leaks } = assignSplits(items, config);
  const written = await withService(deps.pool, (c) => applySplits(c, job.datasetId, assigned));

  const sizes = new Map<string, number>();
  for (const g of group.values()) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const perSplit: Record<string, number> = {};
  for (const it of items) {
    const s = it.split ?? assigned.get(it.id);
    if (s) perSplit[s] = (perSplit[s] ?? 0) + 1;
  }
  const outcome: SplitOutcome = {
    parts: parts.length,
    assigned: written,
    groups: sizes.size,
    nearDuplicateGroups: [...sizes.values()].filter((n) => n > 1).length,
    leaks: leaks.slice(0, 100),
    perSplit,
  };
  await withService(deps.pool, (c) => completeJob(c, jobId, { ...outcome }));
  deps.log(
    `split ${job.datasetId}: ${written} of ${parts.length} parts assigned, ${outcome.nearDuplicateGroups} near-duplicate groups, ${leaks.length} leaks`,
  );
  return outcome;
}
