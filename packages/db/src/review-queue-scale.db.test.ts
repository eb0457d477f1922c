/**
 * Issue 21, what does not scale: reviewers poll the review queue. With a backlog, the statement
 * worked out each waiting part's rejections, consensus counts and viewers before taking the page
 * (the load suite measured 19 ms a poll with hundreds waiting: PostgreSQL's costliest statement). Now the
 * page is taken first: per-part work is done for the page's parts only, whatever the backlog. And
 * the page said how many waited: with more waiting than a page holds, the queue's header counted the
 * page ("200 parts wait for review" with 600 waiting); it now counts them all.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "./session";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "./testing";
import { listReviewQueue, REVIEW_QUEUE_MAX_PAGE, REVIEW_QUEUE_PAGE, reviewQueueQuery } from "./workspaces/review";

let db: TestDatabase;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
let waiting: string[];
const BACKLOG = 600;
/** The page the review page asks for (the default). */
const PAGE = REVIEW_QUEUE_PAGE;

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
  it("is the oldest submissions first, a page of them, and says how many wait in all", async () => {
    const page = await withUser(db.owner, w.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId }),
    );
    expect(page.items.map((i) => i.id)).toEqual(waiting.slice(0, PAGE));
    expect(page.waiting).toBe(BACKLOG);
    expect(page.items.every((i) => i.rejections === 0 && i.viewers.length === 0 && i.annotations === 0)).toBe(true);
  });

  it("gives a longer page when asked, never more than the most a page holds", async () => {
    const ask = (limit: number) =>
      withUser(db.owner, w.users.engineer.claims, (c) => listReviewQueue(c, { workspaceId: w.workspaceId, limit }));
    expect((await ask(120)).items.map((i) => i.id)).toEqual(waiting.slice(0, 120));
    const most = await ask(10_000);
    expect(most.items.map((i) => i.id)).toEqual(waiting.slice(0, REVIEW_QUEUE_MAX_PAGE));
    expect(most.waiting).toBe(BACKLOG);
  });

  it("counts under the same filters: another annotator's parts, another dataset's, are not waiting in it", async () => {
    const other = await withUser(db.owner, w.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId, annotatorId: w.users.engineer.id }),
    );
    expect(other).toEqual({ items: [], waiting: 0 });
    const mine = await withUser(db.owner, w.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId, annotatorId: w.users.annotator.id, datasetId: w.datasetId }),
    );
    expect(mine.waiting).toBe(BACKLOG);
    // and an engineer of another workspace learns nothing of how many wait here
    const elsewhere = await createWorkspaceWithRoles(db.owner, "rq-scale-other");
    const outsider = await withUser(db.owner, elsewhere.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId }),
    );
    expect(outsider).toEqual({ items: [], waiting: 0 });
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
