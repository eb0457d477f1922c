/**
 * A dataset's labelling-queue settings (pre-labelling, queue order, annotations per part, parts held at
 * once) are set by those who run labelling: admins and engineers (core: `datasets.configure`). ML
 * engineers create datasets and curate them, but the database refuses them these columns too, whatever
 * the API checked first (issue 17, item 15).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import { attempt, createTestDatabase, createWorkspaceWithRoles, refusal, type TestDatabase } from "../testing";
import { createDataset } from "./datasets";
import { type DatasetSettings, getDatasetSettings, updateDatasetSettings } from "./prelabel";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
type Settings = Partial<Pick<DatasetSettings, "prelabel" | "queueOrder" | "requiredAnnotations" | "maxHeldParts">>;

let db: TestDatabase;
let w: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "queue-settings");
});

afterAll(async () => {
  await db.drop();
});

/** Each setting changed on its own, away from the column defaults. */
const CHANGES: Settings[] = [
  { prelabel: false },
  { queueOrder: "oldest" },
  { requiredAnnotations: 3 },
  { maxHeldParts: 7 },
];

async function stored() {
  const { rows } = await db.owner.query<Record<string, unknown>>(
    `select prelabel, queue_order, required_annotations, max_held_parts, confirm_below, description
     from public.datasets where id = $1`,
    [w.datasetId],
  );
  return rows[0];
}

async function reset(): Promise<void> {
  await db.owner.query(
    `update public.datasets set prelabel = true, queue_order = 'least_confident', required_annotations = 1,
       max_held_parts = 3 where id = $1`,
    [w.datasetId],
  );
}

const as = (role: keyof Workspace["users"]) => ({ role: "authenticated" as const, claims: w.users[role].claims });

describe("a dataset's queue settings", () => {
  it.each(["admin", "engineer"] as const)("are changed by an %s, each of them", async (role) => {
    for (const change of CHANGES) {
      await reset();
      const updated = await withUser(db.owner, w.users[role].claims, (c) =>
        updateDatasetSettings(c, w.workspaceId, w.datasetId, change),
      );
      expect(updated).toMatchObject(change);
    }
    await reset();
  });

  it("are refused to an ML engineer, through the query and by a direct update, and stay as they were", async () => {
    await reset();
    const before = await stored();
    for (const change of CHANGES) {
      const r = await refusal(
        withUser(db.owner, w.users.ml_engineer.claims, (c) =>
          updateDatasetSettings(c, w.workspaceId, w.datasetId, change),
        ),
      );
      expect(r.code, JSON.stringify(change)).toBe("FORBIDDEN");
      expect(r.message).toContain("admins and engineers");
    }
    for (const set of [
      "prelabel = false",
      "queue_order = 'oldest'",
      "required_annotations = 2",
      "max_held_parts = 10",
      // the submit check's threshold: 0 would let untouched pre-labels through again
      "confirm_below = 0",
    ]) {
      const r = await attempt(db.owner, as("ml_engineer"), (c) =>
        c.query(`update public.datasets set ${set} where id = $1`, [w.datasetId]),
      );
      expect(r.ok ? "allowed" : r.code, set).toBe("FC004");
    }
    expect(await stored()).toEqual(before);
  });

  it("leave an ML engineer what they curate: the description, and writing the same settings back", async () => {
    const r = await attempt(db.owner, as("ml_engineer"), (c) =>
      c.query(
        `update public.datasets set description = 'brackets, train and test', queue_order = queue_order,
           prelabel = prelabel where id = $1 returning description`,
        [w.datasetId],
      ),
    );
    expect(r.ok && r.value.rows).toEqual([{ description: "brackets, train and test" }]);
  });

  it("of a new dataset: an ML engineer creates one with the defaults, not with settings of their own", async () => {
    const made = await withUser(db.owner, w.users.ml_engineer.claims, (c) =>
      createDataset(c, { workspaceId: w.workspaceId, name: "curated by ML" }),
    );
    const settings = await withUser(db.owner, w.users.ml_engineer.claims, (c) =>
      getDatasetSettings(c, w.workspaceId, { id: made.id }),
    );
    expect(settings).toMatchObject({
      prelabel: true,
      queueOrder: "least_confident",
      requiredAnnotations: 1,
      maxHeldParts: 3,
    });
    for (const [column, value] of [
      ["prelabel", false],
      ["queue_order", "oldest"],
      ["required_annotations", 2],
      ["max_held_parts", 9],
      ["confirm_below", 0],
    ] as const) {
      for (const role of ["ml_engineer", "engineer"] as const) {
        const r = await attempt(db.owner, as(role), (c) =>
          c.query(`insert into public.datasets (workspace_id, name, created_by, ${column}) values ($1, $2, $3, $4)`, [
            w.workspaceId,
            `${role} ${column}`,
            w.users[role].id,
            value,
          ]),
        );
        expect(r.ok ? "allowed" : r.code, `${role} ${column}`).toBe(role === "engineer" ? "allowed" : "FC004");
      }
    }
  });

  it("are not the business of annotators and viewers either (row-level security: no row to change)", async () => {
    for (const role of ["annotator", "viewer"] as const) {
      const r = await refusal(
        withUser(db.owner, w.users[role].claims, (c) =>
          updateDatasetSettings(c, w.workspaceId, w.datasetId, { queueOrder: "oldest" }),
        ),
      );
      expect(r.code, role).toBe("NOT_FOUND");
      expect(r.message).toContain("admins and engineers");
    }
  });

  it("are one step of the datasets' before-update dispatcher, like the rules of parts", async () => {
    const { rows } = await db.owner.query<{ definition: string }>(
      `select pg_get_triggerdef(t.oid) as definition from pg_trigger t
       where t.tgrelid = 'public.datasets'::regclass and not t.tgisinternal and t.tgtype & 2 = 2
       order by t.tgname`,
    );
    expect(rows.map((r) => r.definition.replace(/ ON public\.datasets.*$/, ""))).toEqual([
      expect.stringMatching(/^CREATE TRIGGER datasets_before_insert BEFORE INSERT$/),
      expect.stringMatching(/^CREATE TRIGGER datasets_before_update BEFORE UPDATE$/),
    ]);
  });
});
