/**
 * Pre-labels after tessellation for datasets on other label schema versions, against a real
 * PostgreSQL, the filesystem store and OpenCascade: the rule pre-labeler speaks the default taxonomy's
 * classes; the model revision is written in the classes of the dataset's version (through the mappings
 * that made it, or keeping only an unrelated schema's own classes), and an annotator can save it.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type AnnotationDocument,
  annotationDocumentSchema,
  applyMapping,
  DEFAULT_TAXONOMY,
  labelsByStepName,
  type SchemaMapping,
  type Taxonomy,
} from "@facet/core";
import { appendRevision, claimNextPart, createLabelSchema, createLabelSchemaVersion, withUser } from "@facet/db";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import type { FacesDocument } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import { createRulePrelabeler } from "@facet/prelabel";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InProcessGeometry } from "../geometry/engine";
import { tessellatePart } from "./tessellate";
import { uploadedPart } from "./testing";

const NAME = "0-1-2-3-19"; // stock, a chamfer and three passages (triangular, rectangular, six-sided)
/** Default v2: through_hole renamed hole, chamfer renamed bevel, the three passages merged into passage. */
const MAPPING: SchemaMapping = {
  through_hole: ["hole"],
  chamfer: ["bevel"],
  triangular_passage: ["passage"],
  rectangular_passage: ["passage"],
  six_sided_passage: ["passage"],
};

function version2(t: Taxonomy): Taxonomy {
  const gone = new Set(Object.keys(MAPPING));
  const renamed = (key: string) =>
    t.featureTypes.filter((f) => f.key === key).map((f) => ({ ...f, key: MAPPING[key]?.[0] as string }));
  return {
    crosswalks: {},
    featureTypes: [
      ...t.featureTypes.filter((f) => !gone.has(f.key)),
      ...renamed("through_hole"),
      ...renamed("chamfer"),
      ...renamed("rectangular_passage"),
    ],
  };
}

describe("pre-labels under the dataset's label schema version (tessellation job, rules)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  const geometry = new InProcessGeometry();
  let bytes: Buffer;
  let truth: (string | null)[];

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-prelabel-schema-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    w = await createWorkspaceWithRoles(db.owner, "prelabel-schema");
    bytes = await readFile(path.join(CORPUS, `mfcad/${NAME}.step`));
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  /** Upload the part into a new dataset on `schemaId`, run its tessellation job with the rules; its model revision. */
  async function prelabelledIn(schemaId: string) {
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into datasets (workspace_id, name, label_schema_id) values ($1, $2, $3) returning id",
      [w.workspaceId, `d-${randomUUID().slice(0, 8)}`, schemaId],
    );
    const datasetId = (rows[0] as { id: string }).id;
    const { partId, jobId } = await uploadedPart(db.owner, store, {
      workspaceId: w.workspaceId,
      datasetId,
      name: `${NAME}.step`,
      bytes,
    });
    await tessellatePart(
      { pool: db.owner, store, runner: geometry, prelabelers: [createRulePrelabeler()], log: () => {} },
      { jobId },
    );
    const rev = await db.owner.query<{ label_schema_id: string; document: unknown; faces_key: string; status: string }>(
      `select r.label_schema_id, r.document, g.faces_key, p.status from annotation_revisions r
       join parts p on p.id = r.part_id join part_geometry g on g.id = p.geometry_id
       where r.part_id = $1 and r.source = 'model'`,
      [partId],
    );
    expect(rev.rows).toHaveLength(1);
    const row = rev.rows[0] as (typeof rev.rows)[number];
    expect(row.status).toBe("pre_labeled");
    if (!truth) {
      const faces = JSON.parse((await store.read(row.faces_key)).toString("utf8")) as FacesDocument;
      const byId = JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
        string,
        number[]
      >;
      const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad;
      if (!crosswalk) throw new Error("no mfcad crosswalk");
      truth = labelsByStepName(crosswalk, faces.faces, byId[NAME] ?? []);
    }
    return { partId, datasetId, schemaId: row.label_schema_id, document: annotationDocumentSchema.parse(row.document) };
  }

  /** The annotator claims the part and saves the pre-label's labels and instances as they are. */
  const saveUnchanged = (p: { partId: string; datasetId: string; document: AnnotationDocument }) =>
    withUser(db.owner, w.users.annotator.claims, async (c) => {
      expect((await claimNextPart(c, { workspaceId: w.workspaceId, datasetId: p.datasetId }))?.id).toBe(p.partId);
      const { faceSignature, faceCount, labels, instances } = p.document;
      return appendRevision(c, {
        workspaceId: w.workspaceId,
        partId: p.partId,
        document: { schemaVersion: 1, faceSignature, faceCount, labels, instances },
        source: "human",
      });
    });

  it("a dataset on a version that renamed and merged classes gets the pre-label in its classes, and it can be saved", async () => {
    const v2 = await withUser(db.owner, w.users.admin.claims, (c) =>
      createLabelSchemaVersion(c, {
        workspaceId: w.workspaceId,
        fromId: w.labelSchemaId,
        taxonomy: version2(DEFAULT_TAXONOMY),
        mapping: MAPPING,
      }),
    );
    const p = await prelabelledIn(v2.id);
    expect(p.schemaId).toBe(v2.id);
    // the rules found the MFCAD truth, in the default taxonomy's classes; the revision holds it mapped
    expect(new Set(truth)).toEqual(
      new Set(["stock", "chamfer", "triangular_passage", "rectangular_passage", "six_sided_passage"]),
    );
    const expected = applyMapping({ ...p.document, labels: truth, instances: [] }, MAPPING, new Set()).document.labels;
    expect(p.document.labels).toEqual(expected);
    expect(new Set(p.document.labels)).toEqual(new Set(["stock", "bevel", "passage"]));
    expect(new Set(p.document.instances.map((i) => i.feature))).toEqual(new Set(["bevel", "passage"]));
    for (const inst of p.document.instances)
      for (const f of inst.faces) expect(p.document.labels[f]).toBe(inst.feature);
    expect(p.document.provenance?.prelabelSchema).toMatchObject({ schema: "Default v2", droppedFaces: 0 });
    expect((await saveUnchanged(p)).revisionNo).toBe(2);
  }, 180_000);

  it("a dataset on an unrelated schema gets only its own classes; the other faces wait unlabelled", async () => {
    const own: Taxonomy = {
      crosswalks: {},
      featureTypes: DEFAULT_TAXONOMY.featureTypes.filter((f) => f.key === "stock" || f.key === "chamfer"),
    };
    const mine = await withUser(db.owner, w.users.admin.claims, (c) =>
      createLabelSchema(c, { workspaceId: w.workspaceId, name: "Mine", taxonomy: own }),
    );
    const p = await prelabelledIn(mine.id);
    expect(p.schemaId).toBe(mine.id);
    const passages = truth.filter((l) => l?.endsWith("_passage")).length;
    expect(passages).toBeGreaterThan(0);
    expect(p.document.labels).toEqual(truth.map((l) => (l === "stock" || l === "chamfer" ? l : null)));
    expect(p.document.instances.every((i) => i.feature === "chamfer")).toBe(true);
    expect(p.document.provenance?.prelabelSchema).toMatchObject({ schema: "Mine v1", droppedFaces: passages });
    expect((await saveUnchanged(p)).revisionNo).toBe(2);
  }, 180_000);
});
