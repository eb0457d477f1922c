/**
 * Consensus annotation against a real PostgreSQL (supabase/migrations/20261123001100_consensus.sql):
 * a dataset needing N independent annotations per part records each submission, sends the part back
 * to the queue from its pre-label (or from nothing) until there are N, never serves it to someone who
 * annotated it, and with the N-th sends it to review with a per-face majority vote. Also what
 * getPartConsensus / listConsensusParts read, and who may read or write independent_annotations.
 */
import { randomUUID } from "node:crypto";
import { type AnnotationDocument, reviewInputSchema } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "./session";
import {
  addMember,
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  giveGeometry,
  insertDataset,
  insertParts,
  refusal,
  type TestDatabase,
  type TestUser,
} from "./testing";
import { getPartConsensus, listConsensusParts } from "./workspaces/consensus";
import { claimNextPart } from "./workspaces/parts";
import { listReviewQueue, reviewPart } from "./workspaces/review";
import { appendRevision } from "./workspaces/revisions";
import { submitPart } from "./workspaces/workbench";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
type Instance = AnnotationDocument["instances"][number];
type Labels = Array<string | null>;

let db: TestDatabase;
let w: Workspace;
/** Three annotators of the workspace: A (the workspace's own), B and C. */
let A: TestUser;
let B: TestUser;
let C: TestUser;
/** An admin of another workspace. */
let outsider: TestUser;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "cs");
  A = w.users.annotator;
  B = await createUser(db.owner, "cs-annotator-b");
  C = await createUser(db.owner, "cs-annotator-c");
  await addMember(db.owner, w.workspaceId, B.id, "annotator");
  await addMember(db.owner, w.workspaceId, C.id, "annotator");
  outsider = (await createWorkspaceWithRoles(db.owner, "cs-elsewhere")).users.admin;
});

afterAll(async () => {
  await db.drop();
});

// Fixtures -----------------------------------------------------------------------------------------

interface Part {
  id: string;
  name: string;
  datasetId: string;
  signature: string;
  faceCount: number;
  /** The model revision's document (revision 1), when the part was pre-labelled. */
  model: AnnotationDocument | null;
}

/** A dataset of its own (so that claims are served from it only); required_annotations left at its default when omitted. */
function newDataset(required?: number): Promise<string> {
  return insertDataset(db.owner, {
    workspaceId: w.workspaceId,
    labelSchemaId: w.labelSchemaId,
    requiredAnnotations: required,
  });
}

/**
 * A part with geometry of `faceCount` faces, moved through the status machine as the pipeline would
 * (uploaded -> processing -> unannotated, then -> pre_labeled after a model revision when `model` is given).
 */
async function newPart(
  datasetId: string,
  faceCount: number,
  model?: { labels: Labels; instances?: Instance[] },
): Promise<Part> {
  const [id] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 1 });
  if (!id) throw new Error("part not created");
  await db.owner.query("update public.parts set status = 'processing' where id = $1", [id]);
  await db.owner.query("update public.parts set status = 'unannotated' where id = $1", [id]);
  const signature = await giveGeometry(db.owner, id, { faceCount });
  let document: AnnotationDocument | null = null;
  if (model) {
    document = {
      schemaVersion: 1,
      faceSignature: signature,
      faceCount,
      labels: model.labels,
      instances: model.instances ?? [],
    };
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature,
         document, model_assisted, source)
       values ($1, 1, null, $2, $3, $4, true, 'model')`,
      [id, w.labelSchemaId, signature, JSON.stringify(document)],
    );
    await db.owner.query("update public.parts set status = 'pre_labeled' where id = $1", [id]);
  }
  const { rows } = await db.owner.query<{ name: string; status: string }>(
    "select name, status from public.parts where id = $1",
    [id],
  );
  expect(rows[0]?.status).toBe(model ? "pre_labeled" : "unannotated");
  return { id, name: rows[0]?.name as string, datasetId, signature, faceCount, model: document };
}

/** What claim_next_part serves `u` from the part's dataset: a part id, or null. */
async function claim(u: TestUser, datasetId: string): Promise<string | null> {
  const claimed = await withUser(db.owner, u.claims, (c) =>
    claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
  );
  return claimed?.id ?? null;
}

function doc(part: Part, labels: Labels, instances: Instance[] = []): AnnotationDocument {
  return { schemaVersion: 1, faceSignature: part.signature, faceCount: part.faceCount, labels, instances };
}

async function save(u: TestUser, part: Part, labels: Labels, instances: Instance[] = []) {
  return withUser(db.owner, u.claims, (c) =>
    appendRevision(c, {
      workspaceId: w.workspaceId,
      partId: part.id,
      document: doc(part, labels, instances),
      source: "human",
    }),
  );
}

const submit = (u: TestUser, part: Part, revisionNo: number) =>
  withUser(db.owner, u.claims, (c) => submitPart(c, { workspaceId: w.workspaceId, partId: part.id, revisionNo }));

/** `u` claims the part (it must be the one served), labels it and submits: the saved revision and the resulting status. */
async function annotate(u: TestUser, part: Part, labels: Labels, instances: Instance[] = []) {
  expect(await claim(u, part.datasetId), `${u.email} is served the part`).toBe(part.id);
  const saved = await save(u, part, labels, instances);
  const status = await submit(u, part, saved.revisionNo);
  return { ...saved, status };
}

const inst = (id: string, feature: string, faces: number[]): Instance => ({ id, feature, faces, params: {} });

const as = (u: TestUser) => ({ role: "authenticated" as const, claims: u.claims });

// Reading back ---------------------------------------------------------------------------------------

async function partRow(id: string) {
  const { rows } = await db.owner.query<{
    status: string;
    annotator_id: string | null;
    claimed_at: Date | null;
    lease_expires_at: Date | null;
    claimed_from: string | null;
    returned_at: Date | null;
  }>(
    `select status, annotator_id, claimed_at, lease_expires_at, claimed_from, returned_at
     from public.parts where id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no part ${id}`);
  return rows[0];
}

interface RevisionRow {
  id: string;
  revision_no: number;
  author_id: string | null;
  source: string;
  model_assisted: boolean;
  face_signature: string;
  document: AnnotationDocument;
}

async function revisions(partId: string): Promise<RevisionRow[]> {
  const { rows } = await db.owner.query<RevisionRow>(
    `select id, revision_no, author_id, source, model_assisted, face_signature, document
     from public.annotation_revisions where part_id = $1 order by revision_no`,
    [partId],
  );
  return rows;
}

async function latest(partId: string): Promise<RevisionRow> {
  const all = await revisions(partId);
  const last = all[all.length - 1];
  if (!last) throw new Error(`no revision of ${partId}`);
  return last;
}

async function independent(partId: string) {
  const { rows } = await db.owner.query<{
    workspace_id: string;
    annotator_id: string;
    revision_id: string;
    face_signature: string;
  }>(
    `select workspace_id, annotator_id, revision_id, face_signature from public.independent_annotations
     where part_id = $1 order by created_at, annotator_id`,
    [partId],
  );
  return rows;
}

async function recorded(partId: string) {
  const { rows } = await db.owner.query<{ actor_id: string | null; data: Record<string, unknown> }>(
    `select actor_id, data from public.audit_events
     where action = 'part.annotation_recorded' and target_table = 'parts' and target_id = $1 order by id`,
    [partId],
  );
  return rows;
}

// Scenarios ------------------------------------------------------------------------------------------

const MODEL: Labels = ["stock", "stock", "through_hole", "fillet", "chamfer", "stock"];
const MODEL_INSTANCES = [inst("m-hole", "through_hole", [2])];
const A_LABELS: Labels = ["stock", "blind_hole", "through_hole", "fillet", "chamfer", "stock"];
const B_LABELS: Labels = ["stock", "through_hole", "through_hole", "chamfer", "chamfer", "fillet"];
/**
 * Per face, A vs B: 0 stock=stock; 1 blind_hole/through_hole tie -> blind_hole (A's); 2 through_hole;
 * 3 fillet/chamfer tie -> chamfer (B's); 4 chamfer; 5 stock/fillet tie -> fillet (B's). The ties go
 * neither to the first nor to the last annotator: alphabetically.
 */
const MAJORITY_AB: Labels = ["stock", "blind_hole", "through_hole", "chamfer", "chamfer", "fillet"];
const B_INSTANCES = [
  inst("b-hole", "through_hole", [1, 2]), // face 1 went to blind_hole: dropped
  inst("b-chamfer", "chamfer", [3, 4]), // both chamfer: kept
  inst("b-hole-2", "through_hole", [2]), // kept
  inst("b-fillet", "fillet", [5]), // kept (won a tie)
];

/** A dataset needing 2 annotations, a pre-labelled part, and A's annotation of it submitted. */
async function afterFirstAnnotation() {
  const datasetId = await newDataset(2);
  const part = await newPart(datasetId, MODEL.length, { labels: MODEL, instances: MODEL_INSTANCES });
  const a = await annotate(A, part, A_LABELS, [inst("a-hole", "blind_hole", [1])]);
  return { part, a };
}

describe("a dataset needing 2 annotations: the first submission", () => {
  it("records A's annotation and sends the part back to the pre-labelled queue, restarting from the model's labels", async () => {
    const { part, a } = await afterFirstAnnotation();
    expect(a.revisionNo).toBe(2); // 1 is the model's
    expect(a.status).toBe("pre_labeled");
    expect(await partRow(part.id)).toEqual({
      status: "pre_labeled",
      annotator_id: null,
      claimed_at: null,
      lease_expires_at: null,
      claimed_from: null,
      returned_at: null,
    });

    expect(await independent(part.id)).toEqual([
      { workspace_id: w.workspaceId, annotator_id: A.id, revision_id: a.id, face_signature: part.signature },
    ]);

    const all = await revisions(part.id);
    expect(all.map((r) => [r.revision_no, r.source, r.author_id])).toEqual([
      [1, "model", null],
      [2, "human", A.id],
      [3, "consensus", null],
    ]);
    const restart = all[2] as RevisionRow;
    expect(restart.document.labels).toEqual(MODEL);
    expect(restart.document.labels).not.toEqual(A_LABELS);
    expect(restart).toMatchObject({ model_assisted: true, face_signature: part.signature });
    expect(restart.document).toEqual({
      ...part.model,
      provenance: { consensus: "start of an independent annotation", annotation: 2, required: 2 },
    });

    expect(await recorded(part.id)).toEqual([
      { actor_id: A.id, data: { revision_no: 2, count: 1, required: 2, part_id: part.id } },
    ]);
    const { rows: moves } = await db.owner.query<{ data: unknown }>(
      `select data from public.audit_events
       where action = 'part.status_changed' and target_id = $1 and data ->> 'from' = 'in_progress' order by id`,
      [part.id],
    );
    expect(moves.map((m) => m.data)).toEqual([{ from: "in_progress", to: "pre_labeled", annotator_id: null }]);
  });

  it("a part without a pre-label goes back to the unannotated queue with every face unlabelled", async () => {
    const datasetId = await newDataset(2);
    const part = await newPart(datasetId, 3);
    const a = await annotate(A, part, ["stock", "fillet", "stock"]);
    expect(a).toMatchObject({ revisionNo: 1, status: "unannotated" });
    expect(await partRow(part.id)).toMatchObject({ status: "unannotated", annotator_id: null, lease_expires_at: null });
    const restart = await latest(part.id);
    expect(restart).toMatchObject({ revision_no: 2, source: "consensus", author_id: null, model_assisted: false });
    expect(restart.document).toEqual({
      schemaVersion: 1,
      faceSignature: part.signature,
      faceCount: 3,
      labels: [null, null, null],
      instances: [],
      provenance: { consensus: "start of an independent annotation", annotation: 2, required: 2 },
    });
    expect(await independent(part.id)).toHaveLength(1);
  });
});

describe("a dataset needing 2 annotations: the second submission", () => {
  it("is never served to A again; B's submission sends it to review with the per-face majority", async () => {
    const { part, a } = await afterFirstAnnotation();

    // A is not served the part (the queue has nothing else for them) ...
    expect(await claim(A, part.datasetId)).toBeNull();
    expect(await partRow(part.id)).toMatchObject({ status: "pre_labeled", annotator_id: null });
    // ... and is served the next part instead of it, while B, asking next, gets it
    const other = await newPart(part.datasetId, 2, { labels: ["stock", "stock"] });
    expect(await claim(A, part.datasetId)).toBe(other.id);
    const b = await annotate(B, part, B_LABELS, B_INSTANCES);
    expect(b.revisionNo).toBe(4);
    expect(b.status).toBe("in_review");
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", annotator_id: B.id, lease_expires_at: null });

    const result = await latest(part.id);
    expect(result).toMatchObject({ revision_no: 5, source: "consensus", author_id: null, model_assisted: false });
    expect(result.document).toEqual({
      schemaVersion: 1,
      faceSignature: part.signature,
      faceCount: MODEL.length,
      labels: MAJORITY_AB,
      instances: [
        inst("b-chamfer", "chamfer", [3, 4]),
        inst("b-hole-2", "through_hole", [2]),
        inst("b-fillet", "fillet", [5]),
      ],
      provenance: { consensus: "majority of independent annotations", annotations: 2 },
    });

    expect(await independent(part.id)).toEqual([
      { workspace_id: w.workspaceId, annotator_id: A.id, revision_id: a.id, face_signature: part.signature },
      { workspace_id: w.workspaceId, annotator_id: B.id, revision_id: b.id, face_signature: part.signature },
    ]);
    expect(
      (await recorded(part.id)).map((r) => [r.actor_id, r.data.count, r.data.required, r.data.revision_no]),
    ).toEqual([
      [A.id, 1, 2, 2],
      [B.id, 2, 2, 4],
    ]);

    // what the review page and the agreement figures read, as a member (under RLS)
    const consensus = await withUser(db.owner, w.users.engineer.claims, (c) => getPartConsensus(c, part.id));
    expect(consensus).toEqual({
      required: 2,
      annotations: [
        {
          annotatorId: A.id,
          annotatorEmail: A.email,
          revisionNo: 2,
          faceSignature: part.signature,
          labels: A_LABELS,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
        {
          annotatorId: B.id,
          annotatorEmail: B.email,
          revisionNo: 4,
          faceSignature: part.signature,
          labels: B_LABELS,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
      majority: MAJORITY_AB,
      tiedFaces: [1, 3, 5],
    });
    const [first, second] = consensus?.annotations ?? [];
    expect(Date.parse(first?.createdAt ?? "")).toBeLessThanOrEqual(Date.parse(second?.createdAt ?? ""));

    const listed = await withUser(db.owner, w.users.viewer.claims, (c) =>
      listConsensusParts(c, w.workspaceId, part.datasetId),
    );
    expect(listed).toEqual([
      { partId: part.id, partName: part.name, annotators: [A.email, B.email], annotations: [A_LABELS, B_LABELS] },
    ]);
    const everywhere = await withUser(db.owner, w.users.viewer.claims, (c) => listConsensusParts(c, w.workspaceId));
    expect(everywhere).toContainEqual(listed[0]);
    // a part with a single annotation so far is not listed
    const { part: half } = await afterFirstAnnotation();
    const halfListed = await withUser(db.owner, w.users.viewer.claims, (c) =>
      listConsensusParts(c, w.workspaceId, half.datasetId),
    );
    expect(halfListed).toEqual([]);
    // another workspace's member sees nothing of either
    expect(await withUser(db.owner, outsider.claims, (c) => listConsensusParts(c, w.workspaceId))).toEqual([]);

    // the review queue says it was annotated twice, with faces 1, 3 and 5 in dispute
    const queue = await withUser(db.owner, w.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId, datasetId: part.datasetId }),
    );
    expect(queue.items.find((q) => q.id === part.id)).toMatchObject({ annotations: 2, disputedFaces: 3 });
  });

  it("getPartConsensus: what the dataset requires even before any annotation; null for an unknown part", async () => {
    const datasetId = await newDataset(4);
    const part = await newPart(datasetId, 2);
    expect(await withUser(db.owner, A.claims, (c) => getPartConsensus(c, part.id))).toEqual({
      required: 4,
      annotations: [],
      majority: [],
      tiedFaces: [],
    });
    expect(await withUser(db.owner, A.claims, (c) => getPartConsensus(c, randomUUID()))).toBeNull();
    // the part is not visible to an outsider
    expect(await withUser(db.owner, outsider.claims, (c) => getPartConsensus(c, part.id))).toBeNull();
  });
});

describe("a dataset needing 3 annotations", () => {
  const LABELS: Record<"A" | "B" | "C", Labels> = {
    A: ["stock", "fillet", "chamfer", "through_hole"],
    B: ["stock", "fillet", "blind_hole", "stock"],
    C: ["fillet", "chamfer", "chamfer", "stock"],
  };
  /**
   * 0: stock 2 (A, B) vs fillet 1; 1: fillet 2 (A, B) vs chamfer 1; 2: chamfer 2 (A, C) vs blind_hole 1
   * (which an alphabetical tie-break would have picked); 3: stock 2 (B, C) vs through_hole 1.
   */
  const MAJORITY: Labels = ["stock", "fillet", "chamfer", "stock"];

  it("takes the 2-of-3 majority per face and keeps only the last annotation's instances that still fit", async () => {
    const datasetId = await newDataset(3);
    const part = await newPart(datasetId, 4);

    const a = await annotate(A, part, LABELS.A, [inst("a-chamfer", "chamfer", [2])]);
    expect(a.status).toBe("unannotated");
    expect((await latest(part.id)).document.provenance).toEqual({
      consensus: "start of an independent annotation",
      annotation: 2,
      required: 3,
    });
    expect(await claim(A, datasetId)).toBeNull();

    const b = await annotate(B, part, LABELS.B);
    expect(b.status).toBe("unannotated");
    expect(await partRow(part.id)).toMatchObject({ status: "unannotated", annotator_id: null });
    const restart = await latest(part.id);
    expect(restart.document.labels).toEqual([null, null, null, null]);
    expect(restart.document.provenance).toEqual({
      consensus: "start of an independent annotation",
      annotation: 3,
      required: 3,
    });
    expect(await claim(A, datasetId)).toBeNull();
    expect(await claim(B, datasetId)).toBeNull();

    const c = await annotate(C, part, LABELS.C, [
      inst("c-fillet", "fillet", [0]), // face 0 went to stock: dropped
      inst("c-chamfer", "chamfer", [2]), // kept
      inst("c-chamfer-wide", "chamfer", [1, 2]), // face 1 went to fillet: dropped although face 2 fits
      inst("c-stock", "stock", [3]), // kept
    ]);
    expect(c.status).toBe("in_review");
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", annotator_id: C.id });

    const result = await latest(part.id);
    expect(result).toMatchObject({ source: "consensus", revision_no: c.revisionNo + 1, author_id: null });
    expect(result.document.labels).toEqual(MAJORITY);
    // A's chamfer instance fits the majority too, but only the last annotation's instances are kept
    expect(result.document.instances).toEqual([inst("c-chamfer", "chamfer", [2]), inst("c-stock", "stock", [3])]);
    expect(result.document.provenance).toEqual({ consensus: "majority of independent annotations", annotations: 3 });

    expect((await independent(part.id)).map((r) => [r.annotator_id, r.revision_id])).toEqual([
      [A.id, a.id],
      [B.id, b.id],
      [C.id, c.id],
    ]);
    expect((await recorded(part.id)).map((r) => r.data.count)).toEqual([1, 2, 3]);
    const read = await withUser(db.owner, A.claims, (cl) => getPartConsensus(cl, part.id));
    expect(read?.annotations.map((x) => x.labels)).toEqual([LABELS.A, LABELS.B, LABELS.C]);
    expect(read).toMatchObject({ majority: MAJORITY, tiedFaces: [] });
  });
});

describe("one majority vote: the stored consensus and the review page agree", () => {
  /**
   * Two annotators, tied on faces 1, 2 and 3. The byte-order first of the tied labels wins: A's on face 1
   * (blind_hole < through_hole), B's on faces 2 and 3 (chamfer < fillet, fillet < stock), so the rule
   * favours neither the first nor the last to submit. (The agreement figures in @facet/prelabel name no
   * winner: a tied face has agreement 1/2 whatever the vote says.)
   */
  const A_TIE: Labels = ["stock", "blind_hole", "fillet", "stock"];
  const B_TIE: Labels = ["stock", "through_hole", "chamfer", "fillet"];

  it("the consensus revision's labels are getPartConsensus().majority; a tied face takes the byte-order first label", async () => {
    const datasetId = await newDataset(2);
    const part = await newPart(datasetId, 4);
    await annotate(A, part, A_TIE);
    expect(await claim(B, datasetId)).toBe(part.id);
    const b = await save(B, part, B_TIE);
    expect(await submit(B, part, b.revisionNo)).toBe("in_review");

    const stored = await latest(part.id);
    expect(stored).toMatchObject({ source: "consensus", revision_no: b.revisionNo + 1 });
    const consensus = await withUser(db.owner, w.users.engineer.claims, (c) => getPartConsensus(c, part.id));
    expect(consensus?.majority).toEqual(stored.document.labels);
    expect(consensus?.majority).toEqual(["stock", "blind_hole", "chamfer", "fillet"]);
    expect(consensus?.tiedFaces).toEqual([1, 2, 3]);
    for (const face of consensus?.tiedFaces ?? []) {
      const tied = [A_TIE[face], B_TIE[face]] as string[];
      // byte order (UTF-16 code units = bytes for these ASCII keys), not locale order
      expect(consensus?.majority[face], `face ${face}`).toBe(tied.sort()[0]);
    }
  });

  it("private.face_majority: votes, raters and ties per face, unlabelled faces without a winner", async () => {
    const datasetId = await newDataset(3);
    const part = await newPart(datasetId, 3);
    await annotate(A, part, ["stock", "fillet", "stock"]);
    await annotate(B, part, ["stock", "chamfer", "fillet"]);
    await annotate(C, part, ["fillet", "stock", "chamfer"]);
    const { rows } = await db.owner.query(
      "select face, label, votes, raters, tied from private.face_majority($1, $2) order by face",
      [part.id, part.signature],
    );
    expect(rows).toEqual([
      { face: 0, label: "stock", votes: 2, raters: 3, tied: false },
      { face: 1, label: "chamfer", votes: 1, raters: 3, tied: true }, // chamfer < fillet < stock
      { face: 2, label: "chamfer", votes: 1, raters: 3, tied: true },
    ]);
    expect((await latest(part.id)).document.labels).toEqual(rows.map((r) => r.label));
    // another numbering has no annotations: no faces
    const none = await db.owner.query("select * from private.face_majority($1, 'sig-none')", [part.id]);
    expect(none.rows).toEqual([]);
  });
});

describe("nobody annotates a part twice", () => {
  it("a submission by someone who annotated the part already is refused (FC010, CONFLICT), writing nothing", async () => {
    const { part } = await afterFirstAnnotation();
    // forge: A holds the part again (claim_next_part would never serve it to them)
    await db.owner.query(
      `update public.parts set status = 'in_progress', annotator_id = $2, claimed_at = now(),
         lease_expires_at = now() + interval '15 minutes', claimed_from = 'pre_labeled'
       where id = $1`,
      [part.id, A.id],
    );
    const saved = await save(A, part, A_LABELS);
    expect(saved.revisionNo).toBe(4);
    const before = { part: await partRow(part.id), revisions: await revisions(part.id) };

    expect(await refusal(submit(A, part, saved.revisionNo))).toEqual({
      code: "CONFLICT",
      message: "you have annotated this part already: its dataset needs 2 independent annotations",
    });
    // the database's own refusal, for a direct update too
    expect(
      await attempt(db.owner, as(A), (c) =>
        c.query("update public.parts set status = 'in_review' where id = $1", [part.id]),
      ),
    ).toMatchObject({ ok: false, code: "FC010" });

    expect(await partRow(part.id)).toEqual(before.part);
    expect(before.part).toMatchObject({ status: "in_progress", annotator_id: A.id });
    expect(await revisions(part.id)).toEqual(before.revisions);
    expect((await independent(part.id)).map((r) => r.annotator_id)).toEqual([A.id]);
    expect(await recorded(part.id)).toHaveLength(1);
    const { rows: submitted } = await db.owner.query(
      "select 1 from public.audit_events where action = 'part.submitted' and target_id = $1",
      [part.id],
    );
    expect(submitted).toHaveLength(1); // A's first submission only
  });
});

describe("a dataset needing 1 annotation (the default)", () => {
  it("sends a submission straight to review, recording nothing", async () => {
    const datasetId = await newDataset();
    const { rows } = await db.owner.query<{ required_annotations: number }>(
      "select required_annotations from public.datasets where id = $1",
      [datasetId],
    );
    expect(rows[0]?.required_annotations).toBe(1);
    const part = await newPart(datasetId, 3, { labels: ["stock", "stock", "fillet"] });
    const a = await annotate(A, part, ["stock", "chamfer", "fillet"]);
    expect(a.status).toBe("in_review");
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", annotator_id: A.id });
    expect(await latest(part.id)).toMatchObject({ id: a.id, source: "human", revision_no: 2 });
    expect(await independent(part.id)).toEqual([]);
    expect(await recorded(part.id)).toEqual([]);
    expect(await withUser(db.owner, A.claims, (c) => getPartConsensus(c, part.id))).toEqual({
      required: 1,
      annotations: [],
      majority: [],
      tiedFaces: [],
    });
  });
});

describe("a consensus part rejected in review", () => {
  it("is resubmitted normally by its annotator: to review, no new annotation recorded, no consensus revision", async () => {
    const { part } = await afterFirstAnnotation();
    await annotate(B, part, B_LABELS, B_INSTANCES);
    const consensusRevision = await latest(part.id);
    expect(consensusRevision).toMatchObject({ source: "consensus", revision_no: 5 });

    const rejection = await withUser(db.owner, w.users.engineer.claims, (c) =>
      reviewPart(c, {
        workspaceId: w.workspaceId,
        partId: part.id,
        userId: w.users.engineer.id,
        review: reviewInputSchema.parse({ decision: "rejected", revisionNo: 5, summary: "face 1 is a through hole" }),
      }),
    );
    expect(rejection.status).toBe("in_progress");
    const returned = await partRow(part.id);
    expect(returned).toMatchObject({ status: "in_progress", annotator_id: B.id });
    expect(returned.returned_at).toBeInstanceOf(Date);

    const fixed = await save(B, part, ["stock", "through_hole", "through_hole", "chamfer", "chamfer", "fillet"]);
    expect(fixed.revisionNo).toBe(6);
    expect(await submit(B, part, fixed.revisionNo)).toBe("in_review");
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", annotator_id: B.id, returned_at: null });
    const last = await latest(part.id);
    expect(last).toMatchObject({ id: fixed.id, revision_no: 6, source: "human", author_id: B.id });
    expect((await independent(part.id)).map((r) => r.annotator_id)).toEqual([A.id, B.id]);
    expect(await recorded(part.id)).toHaveLength(2);
  });
});

describe("independent_annotations: row-level security and constraints", () => {
  let part: Part;
  let bRevisionId: string;

  beforeAll(async () => {
    const first = await afterFirstAnnotation();
    part = first.part;
    bRevisionId = (await annotate(B, part, B_LABELS)).id;
  });

  const selectRows = (c: { query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }> }) =>
    c
      .query("select annotator_id from public.independent_annotations where part_id = $1 order by created_at", [
        part.id,
      ])
      .then((r) => r.rows);

  it("every member of the workspace reads them; an outsider and an anonymous caller read none", async () => {
    const members = [...Object.values(w.users), B, C];
    expect(members).toHaveLength(7);
    for (const u of members) {
      expect(await attempt(db.owner, as(u), selectRows), u.email).toEqual({
        ok: true,
        value: [{ annotator_id: A.id }, { annotator_id: B.id }],
      });
    }
    expect(await attempt(db.owner, as(outsider), selectRows)).toEqual({ ok: true, value: [] });
    expect(
      await attempt(db.owner, as(outsider), (c) => c.query("select 1 from public.independent_annotations")),
    ).toMatchObject({ ok: true, value: { rowCount: 0 } });
    expect(await attempt(db.owner, { role: "anon", claims: null }, selectRows)).toEqual({ ok: true, value: [] });
  });

  it("no user, admin included, inserts one: refused by row-level security (42501)", async () => {
    const insert =
      "insert into public.independent_annotations (part_id, workspace_id, annotator_id, revision_id, face_signature) values ($1, $2, $3, $4, $5)";
    for (const u of [w.users.admin, w.users.engineer, C]) {
      const r = await attempt(db.owner, as(u), (c) =>
        c.query(insert, [part.id, w.workspaceId, u.id, bRevisionId, part.signature]),
      );
      expect(r, u.email).toEqual({
        ok: false,
        code: "42501",
        message: 'new row violates row-level security policy for table "independent_annotations"',
      });
    }
    // the same row is accepted from the database owner: the refusal is the policy's, not the row's
    expect(
      await attempt(db.owner, { role: "owner" }, (c) =>
        c.query(insert, [part.id, w.workspaceId, C.id, bRevisionId, part.signature]),
      ),
    ).toMatchObject({ ok: true, value: { rowCount: 1 } });
  });

  it("no user, admin included, updates or deletes one: no row is affected", async () => {
    const update = "update public.independent_annotations set revision_id = $2 where part_id = $1";
    const remove = "delete from public.independent_annotations where part_id = $1";
    for (const u of [w.users.admin, w.users.engineer, A, B]) {
      expect(await attempt(db.owner, as(u), (c) => c.query(update, [part.id, bRevisionId])), u.email).toMatchObject({
        ok: true,
        value: { rowCount: 0 },
      });
      expect(await attempt(db.owner, as(u), (c) => c.query(remove, [part.id])), u.email).toMatchObject({
        ok: true,
        value: { rowCount: 0 },
      });
    }
    // the same statements affect both rows when made by the database owner
    expect(await attempt(db.owner, { role: "owner" }, (c) => c.query(update, [part.id, bRevisionId]))).toMatchObject({
      ok: true,
      value: { rowCount: 2 },
    });
    expect(await attempt(db.owner, { role: "owner" }, (c) => c.query(remove, [part.id]))).toMatchObject({
      ok: true,
      value: { rowCount: 2 },
    });
    expect((await independent(part.id)).map((r) => r.annotator_id)).toEqual([A.id, B.id]);
  });

  it("required_annotations accepts 1 to 5 only (check constraint)", async () => {
    const datasetId = await newDataset();
    const set = (v: number | null) => (c: { query: (sql: string, params: unknown[]) => Promise<unknown> }) =>
      c.query("update public.datasets set required_annotations = $2 where id = $1", [datasetId, v]);
    for (const v of [1, 2, 3, 4, 5]) {
      expect(await attempt(db.owner, { role: "owner" }, set(v)), String(v)).toMatchObject({
        ok: true,
        value: { rowCount: 1 },
      });
    }
    for (const v of [0, 6, -1]) {
      expect(await attempt(db.owner, { role: "owner" }, set(v)), String(v)).toMatchObject({
        ok: false,
        code: "23514",
        message: expect.stringContaining("datasets_required_annotations_check"),
      });
    }
    expect(await attempt(db.owner, { role: "owner" }, set(null))).toMatchObject({ ok: false, code: "23502" });
    // an admin edits datasets: the constraint binds them as it binds the owner
    expect(await attempt(db.owner, as(w.users.admin), set(3))).toMatchObject({ ok: true, value: { rowCount: 1 } });
    expect(await attempt(db.owner, as(w.users.admin), set(6))).toMatchObject({ ok: false, code: "23514" });
    expect(
      await attempt(db.owner, { role: "owner" }, (c) =>
        c.query(
          "insert into public.datasets (workspace_id, name, label_schema_id, required_annotations) values ($1, 'x', $2, 6)",
          [w.workspaceId, w.labelSchemaId],
        ),
      ),
    ).toMatchObject({ ok: false, code: "23514" });
  });
});
