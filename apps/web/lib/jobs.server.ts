import "server-only";
import { dispatchQueuedJobs } from "@facet/db";
import { context } from "./context.server";
import { env } from "./env.server";
import { serverLog } from "./log.server";

/**
 * Called after a request queued jobs. With graphile-worker (the embedded default) there is nothing
 * to do: a trigger on `jobs` hands each one over in the transaction that queues it. With Trigger.dev
 * the queued rows are dispatched now; if that fails the scheduled dispatcher does it within a minute,
 * so the request still succeeds.
 */
export async function handOverQueuedJobs(): Promise<void> {
  if (env().FACET_JOBS !== "trigger") return;
  // the Trigger.dev SDK is loaded only where it is used
  const { triggerJobs } = await import("@facet/jobs/trigger");
  try {
    await dispatchQueuedJobs((await context()).pool, triggerJobs);
  } catch (e) {
    serverLog.error("hand-over to Trigger.dev failed; the scheduled dispatcher will retry", {
      error: (e as Error).message,
    });
  }
}
