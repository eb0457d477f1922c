import { type Pool, releaseExpiredClaims as release, withService } from "@facet/db";

/** Return parts whose claim lease has expired to the queue they came from. */
export async function releaseExpiredClaims(pool: Pool): Promise<number> {
  return withService(pool, release);
}
