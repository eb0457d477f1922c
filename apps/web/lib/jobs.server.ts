import "server-only";
import { context } from "./context.server";
import { env } from "./env.server";

/**
 * Called after a request queued jobs. With graphile-worker (the embedded default) there is nothing
 * to do: a trigger on `jobs` hands each one over in the transaction that queues it. With Trigger.dev
 * the queued rows are dispatched now; if that fails the scheduled dispatcher does it within a minute,
 * so the request still succeeds.
 */
export async function handOverQueuedJobs(): Promise<void> {
  if (env().FACET_JOBS !== "trigger") return;
  const [{ dispatchQueuedJobs }, { triggerJobs }] = await Promise.all([
    import("@facet/workers/dispatch"),
    import("@facet/workers/trigger-jobs"),
  ]);
  try {
    await dispatchQueuedJobs((await context()).pool, triggerJobs);
  } catch (e) {
    console.error(
      `jobs: hand-over to Trigger.dev failed, the scheduled dispatcher will retry: ${(e as Error).message}`,
    );
  }
}
