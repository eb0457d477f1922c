/**
 * Pre-labels under a dataset's label schema version, against a real PostgreSQL (issue 19, item 1
 * follow-up): the models speak the default taxonomy's classes; recordPrelabel writes the model
 * revision in the classes of the dataset's version — through the chain of mappings that made it
 * from the default schema's first version, or, for an unrelated schema, keeping only its own
 * classes — so an annotator can save what they start from, and the face checks compare against
 * the translated pre-label.
 */
import { type AnnotationDocument, DEFAULT_TAXONOMY, type FaceCheck, type Taxonomy } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { recordPrelabel } from "./processing";
import { withService, withUser } from "./session";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  giveGeometry,
  insertDataset,
  insertParts,
  type TestDatabase,
} from "./testing";
import {
  applyMappingBatch,
  createLabelSchema,
  createLabelSchemaVersion,
  prelabelTranslation,
} from "./workspaces/label-schemas";
import { claimNextPart } from "./workspaces/parts";
import { appendRevision, latestRevision } from "./workspaces/revisions";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
/** Default v2: through_hole renamed hole, blind_hole merged into it; v3: fillet renamed round. */
let v2: string;
let v3: string;
/** An unrelated schema: stock, chamfer, pocket. */
let mine: string;

const asAdmin = <T>(fn: Parameters<typeof withUser<T>>[2]) => withUser(db.owner, w.users.admin.claims, fn);

/** The default taxonomy with `from` renamed `to` (same name, colour, parameters) and `drop` left out. */
function renamed(t: Taxonomy, from: string, to: string, drop: string[] = []): Taxonomy {
  return {
    ...t,
    crosswalks: {},
    featureTypes: t.featureTypes
      .filter((f) => !drop.includes(f.key))
      .map((f) => (f.key === from ? { ...f, key: to, name: to } : f)),
  };
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "prelabel-schema");
  const t2 = renamed(DEFAULT_TAXONOMY, "through_hole", "hole", ["blind_hole"]);
  const made2 = await asAdmin((c) =>
    createLabelSchemaVersion(c, {
      workspaceId: w.workspaceId,
      fromId: w.labelSchemaId,
      taxonomy: t2,
      mapping: { through_hole: ["hole"], blind_hole: ["hole"] },
    }),
  );
  v2 = made2.id;
  const made3 = await asAdmin((c) =>
    createLabelSchemaVersion(c, {
      workspaceId: w.workspaceId,
      fromId: v2,
      taxonomy: renamed(t2, "fillet", "round"),
      mapping: { fillet: ["round"] },
    }),
  );
  v3 = made3.id;
  expect(made3).toMatchObject({ name: "Default", version: 3, isDefault: true });
  const keep = new Set(["stock", "chamfer"]);
  const own = {
    crosswalks: {},
    featureTypes: [
      ...DEFAULT_TAXONOMY.featureTypes.filter((f) => keep.has(f.key)),
      { key: "pocket", name: "Pocket", colour: "#123456", hotkey: null, isStock: false, parameters: [] },
    ],
  };
  mine = (await asAdmin((c) => createLabelSchema(c, { workspaceId: w.workspaceId, name: "Mine", taxonomy: own }))).id;
});

afterAll(async () => {
  await db.drop();
});

/** What the models said, in the default taxonomy's classes: six faces, two models. */
function modelsSaid(signature: string): AnnotationDocument {
  const instance = (id: string, feature: string, faces: number[]) => ({ id, feature, faces, params: {} });
  return {
    schemaVersion: 1,
    faceSignature: signature,
    faceCount: 6,
    labels: ["stock", "through_hole", "through_hole", "blind_hole", "fillet", "chamfer"],
    instances: [
      instance("pre-1", "through_hole", [1, 2]),
      instance("pre-2", "blind_hole", [3]),
      instance("pre-3", "fillet", [4]),
      instance("pre-4", "chamfer", [5]),
    ],
    prelabel: {
      models: [
        { id: "facet-rules", version: "1" },
        { id: "remote", version: "2" },
      ],
      failed: [],
      confidence: [0.9, 0.8, 0.8, 0.7, 0.6, 0.9],
      disagreement: [0, 0, 0, 0.5, 0, 0],
      predictions: {
        "facet-rules": ["stock", "through_hole", "through_hole", "blind_hole", "fillet", "chamfer"],
        remote: ["stock", "through_hole", "through_hole", "through_hole", "fillet", "chamfer"],
      },
    },
  };
}

/** A part waiting unannotated in a new dataset on `schemaId`, pre-labelled as the worker does it. */
async function prelabelled(schemaId: string) {
  const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: schemaId });
  const [partId] = await insertParts(db.owner, {
    workspaceId: w.workspaceId,
    datasetId,
    count: 1,
    status: "unannotated",
  });
  if (!partId) throw new Error("no part");
  const signature = await giveGeometry(db.owner, partId, { faceCount: 6 });
  await withService(db.owner, (c) =>
    recordPrelabel(c, partId, { ok: true, document: modelsSaid(signature), meanConfidence: 0.78, disagreements: 1 }),
  );
  const { rows } = await db.owner.query<{ label_schema_id: string; document: AnnotationDocument; status: string }>(
    `select r.label_schema_id, r.document, p.status from public.annotation_revisions r
     join public.parts p on p.id = r.part_id where r.part_id = $1 and r.source = 'model'`,
    [partId],
  );
  expect(rows).toHaveLength(1);
  return { partId, datasetId, signature, revision: rows[0] as (typeof rows)[number] };
}

/** The annotator claims the part and saves what they started from (the pre-label's labels and instances). */
async function saveAsStarted(
  part: Awaited<ReturnType<typeof prelabelled>>,
  change: (labels: (string | null)[]) => (string | null)[] = (l) => l,
) {
  const { annotator } = w.users;
  return withUser(db.owner, annotator.claims, async (c) => {
    const claimed = await claimNextPart(c, { workspaceId: w.workspaceId, datasetId: part.datasetId });
    expect(claimed?.id).toBe(part.partId);
    const { labels, instances } = part.revision.document;
    const document: AnnotationDocument = {
      schemaVersion: 1,
      faceSignature: part.signature,
      faceCount: 6,
      labels: change(labels),
      instances,
    };
    const said: FaceCheck[] = labels.map(() => "confirmed");
    const r = await appendRevision(c, {
      workspaceId: w.workspaceId,
      partId: part.partId,
      document,
      source: "human",
      faceChecks: said,
    });
    const latest = await latestRevision(c, w.workspaceId, part.partId);
    return { revisionNo: r.revisionNo, checks: latest?.faceChecks ?? null };
  });
}

describe("pre-labels in the dataset's label schema version", () => {
  it("through the chain of mappings: through_hole and blind_hole become hole, fillet round; the annotator's save is accepted", async () => {
    const part = await prelabelled(v3);
    expect(part.revision.status).toBe("pre_labeled");
    expect(part.revision.label_schema_id).toBe(v3);
    const doc = part.revision.document;
    expect(doc.labels).toEqual(["stock", "hole", "hole", "hole", "round", "chamfer"]);
    expect(doc.instances.map((i) => [i.id, i.feature, i.faces])).toEqual([
      ["pre-1", "hole", [1, 2]],
      ["pre-2", "hole", [3]],
      ["pre-3", "round", [4]],
      ["pre-4", "chamfer", [5]],
    ]);
    expect(doc.prelabel?.predictions).toEqual({
      "facet-rules": ["stock", "hole", "hole", "hole", "round", "chamfer"],
      remote: ["stock", "hole", "hole", "hole", "round", "chamfer"],
    });
    expect(doc.prelabel?.confidence).toEqual([0.9, 0.8, 0.8, 0.7, 0.6, 0.9]);
    expect(doc.provenance).toEqual({
      prelabelSchema: { schema: "Default v3", via: "2 mapping(s)", droppedFaces: 0, droppedClasses: [] },
    });

    // the annotator starts from it and saves it unchanged: accepted, and no face counts as changed
    const same = await saveAsStarted(part);
    expect(same.revisionNo).toBe(2);
    expect(same.checks).toEqual(["confirmed", "confirmed", "confirmed", "confirmed", "confirmed", "confirmed"]);
    // one face relabelled: only that face is changed against the (translated) pre-label
    const changed = await withUser(db.owner, w.users.annotator.claims, async (c) => {
      await appendRevision(c, {
        workspaceId: w.workspaceId,
        partId: part.partId,
        document: { ...doc, labels: ["stock", "hole", "hole", "stock", "round", "chamfer"], instances: [] },
        source: "human",
        faceChecks: ["confirmed", "confirmed", "confirmed", "confirmed", "confirmed", "confirmed"],
      });
      return (await latestRevision(c, w.workspaceId, part.partId))?.faceChecks;
    });
    expect(changed).toEqual(["confirmed", "confirmed", "confirmed", "changed", "confirmed", "confirmed"]);
  });

  it("one step down the chain (v2): only its mapping is applied, fillet stays", async () => {
    const part = await prelabelled(v2);
    expect(part.revision.label_schema_id).toBe(v2);
    expect(part.revision.document.labels).toEqual(["stock", "hole", "hole", "hole", "fillet", "chamfer"]);
    expect((await saveAsStarted(part)).revisionNo).toBe(2);
  });

  it("an unrelated schema gets only its own classes; the faces dropped are counted in the provenance", async () => {
    const part = await prelabelled(mine);
    expect(part.revision.label_schema_id).toBe(mine);
    const doc = part.revision.document;
    expect(doc.labels).toEqual(["stock", null, null, null, null, "chamfer"]);
    expect(doc.instances.map((i) => i.feature)).toEqual(["chamfer"]);
    expect(doc.prelabel?.predictions).toEqual({
      "facet-rules": ["stock", null, null, null, null, "chamfer"],
      remote: ["stock", null, null, null, null, "chamfer"],
    });
    expect(doc.provenance).toEqual({
      prelabelSchema: {
        schema: "Mine v1",
        via: "classes kept by key",
        droppedFaces: 4,
        droppedClasses: ["blind_hole", "fillet", "through_hole"],
      },
    });
    const saved = await saveAsStarted(part, (l) => l.map((x) => x ?? "pocket"));
    expect(saved.checks).toEqual(["confirmed", "changed", "changed", "changed", "changed", "confirmed"]);
  });

  it("the default schema's first version keeps the models' classes as they are", async () => {
    const part = await prelabelled(w.labelSchemaId);
    expect(part.revision.label_schema_id).toBe(w.labelSchemaId);
    expect(part.revision.document).toEqual(modelsSaid(part.signature));
    const t = await withService(db.owner, (c) => prelabelTranslation(c, w.labelSchemaId));
    expect(t?.mappings).toEqual([]);
  });

  it("a version of the default schema made without a mapping (an import) is treated as unrelated", async () => {
    const { rows } = await db.owner.query<{ id: string }>(
      `insert into public.label_schemas (workspace_id, name, version, taxonomy) values ($1, 'Default', 9, $2) returning id`,
      [w.workspaceId, JSON.stringify(renamed(DEFAULT_TAXONOMY, "through_hole", "hole", ["blind_hole"]))],
    );
    const t = await withService(db.owner, (c) => prelabelTranslation(c, rows[0]?.id as string));
    expect(t?.mappings).toBeNull();
    expect(t?.schema).toBe("Default v9");
    const chain = await withService(db.owner, (c) => prelabelTranslation(c, v3));
    expect(chain?.mappings).toEqual([{ through_hole: ["hole"], blind_hole: ["hole"] }, { fillet: ["round"] }]);
  });
});

describe("face checks after a mapping moves the dataset to a newer version", () => {
  it("compare the person's labels with the pre-label read in the dataset's new classes", async () => {
    // pre-labelled on v2 (fillet is still fillet there), then v3's mapping (fillet → round) is applied
    const part = await prelabelled(v2);
    expect(part.revision.document.labels).toEqual(["stock", "hole", "hole", "hole", "fillet", "chamfer"]);
    await asAdmin((c) => applyMappingBatch(c, { workspaceId: w.workspaceId, toId: v3, limit: 200 }));
    const { rows } = await db.owner.query<{ label_schema_id: string }>(
      "select label_schema_id from public.datasets where id = $1",
      [part.datasetId],
    );
    expect(rows[0]?.label_schema_id).toBe(v3);
    // the annotator confirms every face, in v3's classes: the round face is the pre-label's fillet
    const v3Key = (k: string | null) => (k === "fillet" ? "round" : k);
    const checks = await withUser(db.owner, w.users.annotator.claims, async (c) => {
      expect((await claimNextPart(c, { workspaceId: w.workspaceId, datasetId: part.datasetId }))?.id).toBe(part.partId);
      const { labels, instances } = part.revision.document;
      const latest = await latestRevision(c, w.workspaceId, part.partId);
      await appendRevision(c, {
        workspaceId: w.workspaceId,
        partId: part.partId,
        document: {
          schemaVersion: 1,
          faceSignature: part.signature,
          faceCount: 6,
          labels: labels.map(v3Key),
          instances: instances.map((i) => ({ ...i, feature: v3Key(i.feature) as string })),
        },
        source: "human",
        faceChecks: labels.map(() => "confirmed"),
        expectedRevision: latest?.revisionNo,
      });
      return (await latestRevision(c, w.workspaceId, part.partId))?.faceChecks;
    });
    expect(checks).toEqual(["confirmed", "confirmed", "confirmed", "confirmed", "confirmed", "confirmed"]);
  });
});
