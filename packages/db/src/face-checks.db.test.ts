/**
 * What the annotator did with each pre-labelled face, against a real PostgreSQL: the checks stored
 * with every human revision (`changed` worked out by the database, whatever the client says) and
 * the submission rule that follows (unsure pre-labelled faces changed or confirmed, FC012), for
 * submitPart and for a direct update alike.
 */
import { type AnnotationDocument, AppError, type FaceCheck, reviewInputSchema } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toAppError } from "./errors";
import { withUser } from "./session";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  giveGeometry,
  insertDataset,
  insertParts,
  type TestDatabase,
  type TestUser,
} from "./testing";
import { faceCheckStats } from "./workspaces/face-checks";
import { claimNextPart } from "./workspaces/parts";
import { reviewPart } from "./workspaces/review";
import { appendRevision, latestRevision } from "./workspaces/revisions";
import { getLabellingContext, submitPart } from "./workspaces/workbench";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let elsewhere: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "checks");
  elsewhere = await createWorkspaceWithRoles(db.owner, "checks-elsewhere");
});

afterAll(async () => {
  await db.drop();
});

interface Part {
  id: string;
  datasetId: string;
  signature: string;
  faceCount: number;
}

const PRE = ["stock", "stock", "fillet", "chamfer", "stock"];
/** Faces 2 (0.2), 3 (0.5) and 4 (0.55) are below the default 0.6; 0 and 1 are sure. */
const CONFIDENCE = [0.97, 0.9, 0.2, 0.5, 0.55];

/**
 * A part pre-labelled with PRE/CONFIDENCE (a model revision, as the worker writes it) in a dataset
 * of its own, claimed by `holder`. `prelabelOn` puts the pre-label on another face numbering.
 */
async function prelabelledPart(
  holder: TestUser,
  opts: { confirmBelow?: number; prelabel?: boolean; prelabelOn?: string } = {},
): Promise<Part> {
  const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
  if (opts.confirmBelow !== undefined) {
    await db.owner.query("update public.datasets set confirm_below = $2 where id = $1", [datasetId, opts.confirmBelow]);
  }
  const [id] = await insertParts(db.owner, {
    workspaceId: w.workspaceId,
    datasetId,
    count: 1,
    status: opts.prelabel === false ? "unannotated" : "pre_labeled",
  });
  if (!id) throw new Error("part not created");
  const faceCount = PRE.length;
  const signature = await giveGeometry(db.owner, id, { faceCount });
  if (opts.prelabel !== false) {
    const on = opts.prelabelOn ?? signature;
    const document: AnnotationDocument = {
      schemaVersion: 1,
      faceSignature: on,
      faceCount,
      labels: PRE,
      instances: [],
      prelabel: { models: [{ id: "facet-rules", version: "1" }], failed: [], confidence: CONFIDENCE },
    };
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, label_schema_id, face_signature, document, model_assisted, source)
       values ($1, $2, $3, $4, true, 'model')`,
      [id, w.labelSchemaId, on, JSON.stringify(document)],
    );
  }
  const claimed = await withUser(db.owner, holder.claims, (c) =>
    claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
  );
  expect(claimed?.id).toBe(id);
  return { id, datasetId, signature, faceCount };
}

async function save(
  u: TestUser,
  part: Part,
  labels: Array<string | null>,
  faceChecks?: FaceCheck[],
): Promise<{ revisionNo: number; checks: FaceCheck[] | null }> {
  return withUser(db.owner, u.claims, async (c) => {
    const document: AnnotationDocument = {
      schemaVersion: 1,
      faceSignature: part.signature,
      faceCount: part.faceCount,
      labels,
      instances: [],
    };
    const r = await appendRevision(c, {
      workspaceId: w.workspaceId,
      partId: part.id,
      document,
      source: "human",
      ...(faceChecks ? { faceChecks } : {}),
    });
    const latest = await latestRevision(c, w.workspaceId, part.id);
    return { revisionNo: r.revisionNo, checks: latest?.faceChecks ?? null };
  });
}

/** What the database refused (as the API maps it), details included. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  try {
    await p;
  } catch (e) {
    const err = toAppError(e);
    if (err instanceof AppError)
      return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
    throw e;
  }
  throw new Error("expected a refusal");
}

const submit = (u: TestUser, part: Part, revisionNo: number) =>
  withUser(db.owner, u.claims, (c) => submitPart(c, { workspaceId: w.workspaceId, partId: part.id, revisionNo }));

describe("face checks stored with a revision", () => {
  it("are worked out by the database: changed from the labels, confirmed and seen as said, else unseen", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    // the client claims face 0 changed (it is not), confirms 2, saw 3, and changed 4's label
    const { checks } = await save(
      annotator,
      part,
      ["stock", "stock", "fillet", "chamfer", "chamfer"],
      ["changed", "unseen", "confirmed", "seen", "unseen"],
    );
    expect(checks).toEqual(["unseen", "unseen", "confirmed", "seen", "changed"]);
  });

  it("are refused when they do not give one entry per face, and leave nothing written", async () => {
    const part = await prelabelledPart(w.users.annotator);
    const r = await refusal(save(w.users.annotator, part, PRE, ["confirmed", "seen"]));
    expect(r).toEqual({ code: "VALIDATION_FAILED", message: "face_checks has 2 entries for 5 faces" });
    const { rows } = await db.owner.query(
      "select 1 from public.annotation_revisions where part_id = $1 and source = 'human'",
      [part.id],
    );
    expect(rows).toHaveLength(0);
  });

  it("are null without a pre-label on the part's face numbering (nothing to anchor on)", async () => {
    const none = await prelabelledPart(w.users.annotator, { prelabel: false });
    expect((await save(w.users.annotator, none, PRE, ["confirmed", "seen", "seen", "seen", "seen"])).checks).toBeNull();
    const other = await prelabelledPart(w.users.annotator, { prelabelOn: "sig-of-an-older-tessellation" });
    expect((await save(w.users.annotator, other, PRE)).checks).toBeNull();
  });

  it("cannot be forged on a model revision by a member (only the worker writes those)", async () => {
    const part = await prelabelledPart(w.users.annotator);
    const r = await refusal(
      withUser(db.owner, w.users.annotator.claims, (c) =>
        c.query(
          `insert into public.annotation_revisions (part_id, author_id, face_signature, document, source, face_checks)
           values ($1, auth.uid(), $2, $3, 'model', '{confirmed,confirmed,confirmed,confirmed,confirmed}')`,
          [
            part.id,
            part.signature,
            JSON.stringify({
              schemaVersion: 1,
              faceSignature: part.signature,
              faceCount: 5,
              labels: PRE,
              instances: [],
            }),
          ],
        ),
      ),
    );
    expect(r?.code).toBe("FORBIDDEN");
  });
});

describe("submitting a pre-labelled part", () => {
  it("is refused while an unsure face's pre-label stands unconfirmed, naming the faces least sure first", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    // face 3 only seen, 2 and 4 untouched; the sure faces 0 and 1 never looked at
    const { revisionNo } = await save(annotator, part, PRE, ["unseen", "unseen", "unseen", "seen", "unseen"]);
    const r = await refusal(submit(annotator, part, revisionNo));
    expect(r).toEqual({
      code: "UNCONFIRMED_FACES",
      message: "3 unsure pre-labelled faces are not confirmed yet: confirm or change them before submitting",
      details: { faces: [2, 3, 4] },
    });
    const { rows } = await db.owner.query<{ status: string }>("select status from public.parts where id = $1", [
      part.id,
    ]);
    expect(rows[0]?.status).toBe("in_progress");
  });

  it("goes through once each unsure face is confirmed or changed; sure faces may stay unseen", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    const first = await save(annotator, part, PRE, ["unseen", "unseen", "confirmed", "unseen", "unseen"]);
    expect((await refusal(submit(annotator, part, first.revisionNo)))?.details).toEqual({ faces: [3, 4] });
    // 3 changed (a label of its own), 4 confirmed
    const labels = ["stock", "stock", "fillet", "fillet", "stock"];
    const second = await save(annotator, part, labels, ["unseen", "unseen", "confirmed", "unseen", "confirmed"]);
    expect(second.checks).toEqual(["unseen", "unseen", "confirmed", "changed", "confirmed"]);
    await expect(submit(annotator, part, second.revisionNo)).resolves.toBe("in_review");
  });

  it("is refused for the pre-label itself, submitted with no revision of one's own", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    // the model's revision (1) is the latest: nothing was confirmed
    expect((await refusal(submit(annotator, part, 1)))?.details).toEqual({ faces: [2, 3, 4] });
  });

  it("is not asked of imported labels (ground truth from elsewhere, not a pre-label)", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    const document: AnnotationDocument = {
      schemaVersion: 1,
      faceSignature: part.signature,
      faceCount: part.faceCount,
      labels: PRE,
      instances: [],
    };
    const r = await withUser(db.owner, w.users.admin.claims, (c) =>
      appendRevision(c, { workspaceId: w.workspaceId, partId: part.id, document, source: "import" }),
    );
    expect(
      (await withUser(db.owner, w.users.admin.claims, (c) => latestRevision(c, w.workspaceId, part.id)))?.faceChecks,
    ).toBeNull();
    await expect(submit(annotator, part, r.revisionNo)).resolves.toBe("in_review");
  });

  it("is refused on a direct update too (the rule is the parts trigger's, not the API's)", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    await save(annotator, part, PRE);
    const r = await refusal(
      withUser(db.owner, annotator.claims, (c) =>
        c.query("update public.parts set status = 'in_review' where id = $1", [part.id]),
      ),
    );
    expect(r?.code).toBe("UNCONFIRMED_FACES");
  });

  it("holds an engineer labelling a part to the same rule", async () => {
    const engineer = w.users.engineer;
    const part = await prelabelledPart(engineer);
    const { revisionNo } = await save(engineer, part, PRE);
    expect((await refusal(submit(engineer, part, revisionNo)))?.details).toEqual({ faces: [2, 3, 4] });
  });

  it("follows the dataset's threshold: 0.3 asks only for face 2, 0 asks for nothing", async () => {
    const annotator = w.users.annotator;
    const strictish = await prelabelledPart(annotator, { confirmBelow: 0.3 });
    const a = await save(annotator, strictish, PRE);
    expect((await refusal(submit(annotator, strictish, a.revisionNo)))?.details).toEqual({ faces: [2] });
    const never = await prelabelledPart(annotator, { confirmBelow: 0 });
    const b = await save(annotator, never, PRE);
    await expect(submit(annotator, never, b.revisionNo)).resolves.toBe("in_review");
  });

  it("needs no check without a pre-label, or with one made on an older face numbering", async () => {
    const annotator = w.users.annotator;
    for (const opts of [{ prelabel: false }, { prelabelOn: "sig-of-an-older-tessellation" }]) {
      const part = await prelabelledPart(annotator, opts);
      const { revisionNo } = await save(annotator, part, PRE);
      await expect(submit(annotator, part, revisionNo), JSON.stringify(opts)).resolves.toBe("in_review");
    }
  });

  it("gives the workbench the dataset's threshold and the saved checks to carry on from", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator, { confirmBelow: 0.45 });
    await save(annotator, part, PRE, ["unseen", "seen", "confirmed", "unseen", "unseen"]);
    const ctx = await withUser(db.owner, annotator.claims, (c) => getLabellingContext(c, w.workspaceId, part.id));
    expect(ctx.confirmBelow).toBeCloseTo(0.45, 5);
    expect(ctx.revision?.faceChecks).toEqual(["unseen", "seen", "confirmed", "unseen", "unseen"]);
    expect(ctx.prelabel?.summary?.confidence).toEqual(CONFIDENCE);
  });
});

describe("faceCheckStats (the quality page)", () => {
  it("sums, per annotator, what they did with the pre-labelled faces of the revisions reviewers decided on", async () => {
    const annotator = w.users.annotator;
    const part = await prelabelledPart(annotator);
    const labels = ["stock", "stock", "fillet", "fillet", "stock"];
    const { revisionNo } = await save(annotator, part, labels, ["seen", "unseen", "confirmed", "unseen", "confirmed"]);
    await submit(annotator, part, revisionNo);
    const stats = () =>
      withUser(db.owner, w.users.admin.claims, (c) => faceCheckStats(c, w.workspaceId, part.datasetId));
    // not reviewed yet: nothing to count
    expect(await stats()).toEqual([]);
    await withUser(db.owner, w.users.engineer.claims, (c) =>
      reviewPart(c, {
        workspaceId: w.workspaceId,
        partId: part.id,
        userId: w.users.engineer.id,
        review: reviewInputSchema.parse({ decision: "approved", revisionNo }),
      }),
    );
    expect(await stats()).toEqual([
      {
        authorId: annotator.id,
        annotator: annotator.email,
        revisions: 1,
        faces: { changed: 1, confirmed: 2, seen: 1, unseen: 1 },
      },
    ]);
    // another workspace's admin asking about this workspace gets nothing (row-level security)
    const theirs = await withUser(db.owner, elsewhere.users.admin.claims, (c) =>
      faceCheckStats(c, w.workspaceId, part.datasetId),
    );
    expect(theirs).toEqual([]);
  });
});
