/**
 * Issue 21, what does not scale: reviewers poll the review queue. With a backlog, the statement
 * worked out each waiting part's rejections, consensus counts and viewers before taking the page
 * (the load suite measured 19 ms a poll with hundreds waiting: PostgreSQL's costliest statement). Now the
 * page is taken first: per-part work is done for the page's parts only, whatever the backlog.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "./session";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "./testing";
import { listReviewQueue, reviewQueueQuery } from "./workspaces/review";

let db: TestDatabase;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
let waiting: string[];
const BACKLOG = 600;
/** The page the review page asks for (the default). */
const PAGE = 200;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "rq-scale");
  const ids = await insertParts(db.owner, {
    workspaceId: w.workspaceId,
    datasetId: w.datasetId,
    count: BACKLOG,
    status: "in_review",
  });
  // submitted one minute apart, in an order unlike the ids'
  await db.owner.query(
    `update parts p set annotator_id = $2, status_changed_at = now() - make_interval(mins => x.n::int)
     from (select id, row_number() over (order by md5(id::text)) as n from parts where id = any($1)) x
     where x.id = p.id`,
    [ids, w.users.annotator.id],
  );
  waiting = (
    await db.owner.query<{ id: string }>("select id from parts where id = any($1) order by status_changed_at, id", [
      ids,
    ])
  ).rows.map((r) => r.id);
  await db.owner.query("analyze");
});
afterAll(() => db.drop());

/** Every plan node of an EXPLAIN (FORMAT JSON), depth first. */
function* nodes(plan: Record<string, unknown>): Generator<Record<string, unknown>> {
  yield plan;
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) yield* nodes(child);
}

describe("the review queue with a backlog", () => {
  it("is the oldest submissions first, a page of them", async () => {
    const items = await withUser(db.owner, w.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId }),
    );
    expect(items.map((i) => i.id)).toEqual(waiting.slice(0, PAGE));
    expect(items.every((i) => i.rejections === 0 && i.viewers.length === 0 && i.annotations === 0)).toBe(true);
  });

  it(`works out rejections, consensus and viewers for the page's ${PAGE} parts only, not the ${BACKLOG} waiting`, async () => {
    const { text, values } = reviewQueueQuery({ workspaceId: w.workspaceId });
    const plan = await withUser(db.owner, w.users.engineer.claims, async (c) => {
      const { rows } = await c.query<{ "QUERY PLAN": [{ Plan: Record<string, unknown> }] }>(
        `explain (analyze, format json) ${text}`,
        values,
      );
      return (rows[0] as { "QUERY PLAN": [{ Plan: Record<string, unknown> }] })["QUERY PLAN"][0].Plan;
    });
    const perPart = ["part_reviews", "part_presence", "independent_annotations"];
    const scans = [...nodes(plan)].filter((n) => perPart.includes(n["Relation Name"] as string));
    expect(scans.map((n) => n["Relation Name"])).toEqual(expect.arrayContaining(perPart));
    for (const n of scans) expect(n["Actual Loops"], n["Relation Name"] as string).toBeLessThanOrEqual(PAGE);
  });
});
