import { makeWorkerUtils } from "graphile-worker";

/**
 * Create or update graphile-worker's schema (`graphile_worker`), so jobs can be queued before the
 * worker first starts. graphile-worker opens and closes its own connections.
 */
export async function migrateJobQueue(databaseUrl: string): Promise<void> {
  const utils = await makeWorkerUtils({ connectionString: databaseUrl, maxPoolSize: 2 });
  try {
    await utils.migrate();
  } finally {
    await utils.release();
  }
}
