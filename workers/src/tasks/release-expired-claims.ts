import { type Pool, withService } from "@facet/db";

/** Return parts whose claim lease has expired to the queue they came from. */
export async function releaseExpiredClaims(pool: Pool): Promise<number> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<{ n: number }>("select public.release_expired_claims() as n");
    return rows[0]?.n ?? 0;
  });
}
