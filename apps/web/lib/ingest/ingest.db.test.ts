import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey, uploadKey } from "@facet/core";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { CORPUS } from "@facet/geometry/testing";
import { FsBlobStore } from "@facet/storage";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { beginUploads, completeUpload, type Dataset, type IngestDeps, looksLikeStep } from "./ingest";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile() && !e.parentPath.includes(".health")) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

describe("ingest (real database, filesystem store)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  let dataset: Dataset;
  let deps: IngestDeps;
  const step = async (name: string) => readFile(path.join(CORPUS, name));

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-ingest-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    ws = await createWorkspaceWithRoles(db.owner, "ingest");
    dataset = { id: ws.datasetId, workspaceId: ws.workspaceId, name: "parts" };
    deps = {
      pool: db.owner,
      store,
      claims: ws.users.engineer.claims,
      ctx: {},
      maxBytes: 5_000_000,
      uploadUrlTtlSeconds: 600,
    };
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  const count = async (sql: string, params: unknown[] = []) =>
    ((await db.owner.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params)).rows[0] as { n: number }).n;

  it("uploads a new part: presigned PUT, then verified, recorded with blob and tessellation job", async () => {
    const bytes = await step("mfcad/0-0-0-0-0-23.step");
    const file = { name: "0-0-0-0-0-23.step", size: bytes.length, sha256: sha(bytes) };
    const [begun] = await beginUploads(deps, dataset, [file]);
    expect(begun).toMatchObject({ status: "upload", put: { method: "PUT" } });
    if (begun?.status !== "upload") throw new Error("expected an upload");
    const url = new URL(begun.put.url);
    // the bytes go to the workspace's upload key; the content address is written by the server
    const staged = uploadKey(ws.workspaceId, file.sha256);
    expect(url.pathname).toBe(`/api/blobs/${staged}`);
    expect(store.verifyPresigned("PUT", staged, url.searchParams)).toMatchObject({
      size: file.size,
      sha256: file.sha256,
    });
    await store.put(staged, Readable.from([bytes]), file);

    const done = await completeUpload(deps, dataset, file);
    expect(done).toMatchObject({ created: true, part: { name: file.name, status: "uploaded" } });
    const blob = await db.owner.query(
      "select size, verified_at is not null as verified, storage_key from blobs where sha256 = $1",
      [file.sha256],
    );
    expect(blob.rows[0]).toEqual({ size: file.size, verified: true, storage_key: blobKey(file.sha256) });
    expect(await store.head(staged)).toBeNull();
    expect(await store.head(blobKey(file.sha256))).toEqual({ size: file.size, sha256: file.sha256 });
    const jobs = await db.owner.query("select kind, status from jobs where part_id = $1", [done.part.id]);
    expect(jobs.rows).toEqual([{ kind: "geometry:tessellate", status: "queued" }]);

    // completing twice yields one part
    expect(await completeUpload(deps, dataset, file)).toMatchObject({ created: false, part: { id: done.part.id } });
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(1);
    expect(await count("jobs where part_id = $1", [done.part.id])).toBe(1);

    // declaring it again: already present, nothing to send
    expect(await beginUploads(deps, dataset, [file])).toMatchObject([
      { status: "present", part: { id: done.part.id } },
    ]);

    // the same bytes in another dataset: linked at once, nothing transferred
    const other = await db.owner.query<{ id: string }>(
      "insert into datasets (workspace_id, name) values ($1, 'other') returning id",
      [ws.workspaceId],
    );
    const otherDataset = { id: (other.rows[0] as { id: string }).id, workspaceId: ws.workspaceId, name: "other" };
    const [linked] = await beginUploads(deps, otherDataset, [file]);
    expect(linked).toMatchObject({ status: "linked" });
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(2);
    expect(await count("blobs where sha256 = $1", [file.sha256])).toBe(1);

    const audit = await db.owner.query("select action from audit_events where workspace_id = $1", [ws.workspaceId]);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(["upload.completed", "upload.skipped", "part.created"]),
    );
  });

  it("never links held content whose stored copy is gone: asks for the bytes again, records nothing", async () => {
    const bytes = await step("mfcad/0-9-9-9-12-23.step");
    const file = { name: "0-9-9-9-12-23.step", size: bytes.length, sha256: sha(bytes) };
    const [begun] = await beginUploads(deps, dataset, [file]);
    if (begun?.status !== "upload") throw new Error("expected an upload");
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    await completeUpload(deps, dataset, file);
    // the stored copy goes (a lost file; or facet gc, when the only part using it is discarded between
    // the check of what the workspace holds and the recording of the new part)
    await store.delete(blobKey(file.sha256));
    const other = await db.owner.query<{ id: string }>(
      "insert into datasets (workspace_id, name) values ($1, 'copy-gone') returning id",
      [ws.workspaceId],
    );
    const gone = { id: (other.rows[0] as { id: string }).id, workspaceId: ws.workspaceId, name: "copy-gone" };
    const partsNow = await count("parts where blob_sha256 = $1", [file.sha256]);
    // the workspace holds the content by its records: begin must still ask for the bytes, not link
    const [again] = await beginUploads(deps, gone, [file]);
    expect(again).toMatchObject({ status: "upload" });
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(partsNow);
    // completing without sending them is refused, and nothing is recorded
    await expect(completeUpload(deps, gone, file)).rejects.toMatchObject({ code: "UPLOAD_MISSING" });
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(partsNow);
    // sending them stores the content again
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    expect(await completeUpload(deps, gone, file)).toMatchObject({ created: true });
    expect(await store.head(blobKey(file.sha256))).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it("refuses each bad declaration with a clear code and leaves no row and no blob", async () => {
    const good = await step("mfcad/0-0-10-10-12-23.step");
    const base = { name: "ok.step", size: good.length, sha256: sha(good) };
    const cases: Array<[string, unknown, string]> = [
      ["empty file", { ...base, size: 0 }, "EMPTY_FILE"],
      ["over the size limit", { ...base, size: 5_000_001 }, "PAYLOAD_TOO_LARGE"],
      ["path separator", { ...base, name: "dir/part.step" }, "VALIDATION_FAILED"],
      ["backslash", { ...base, name: "dir\\part.step" }, "VALIDATION_FAILED"],
      ["control character", { ...base, name: "part\u0007.step" }, "VALIDATION_FAILED"],
      ["newline", { ...base, name: "part\n.step" }, "VALIDATION_FAILED"],
      ["1000 characters", { ...base, name: `${"x".repeat(995)}.step` }, "VALIDATION_FAILED"],
      ["malformed hash", { ...base, sha256: "abc" }, "VALIDATION_FAILED"],
      ["uppercase hash", { ...base, sha256: base.sha256.toUpperCase() }, "VALIDATION_FAILED"],
      ["negative size", { ...base, size: -1 }, "VALIDATION_FAILED"],
      ["not an object", "part.step", "VALIDATION_FAILED"],
    ];
    const before = { parts: await count("parts"), blobs: await count("blobs"), files: (await filesUnder(root)).length };
    const rejectedBefore = await count("audit_events where action = 'upload.rejected' and workspace_id = $1", [
      ws.workspaceId,
    ]);
    const answers = await beginUploads(
      deps,
      dataset,
      cases.map(([, f]) => f),
    );
    answers.forEach((a, i) => {
      const [label, , code] = cases[i] as [string, unknown, string];
      expect({ label, status: a.status, code: a.status === "rejected" ? a.error.code : null }).toEqual({
        label,
        status: "rejected",
        code,
      });
    });
    for (const [label, f, code] of cases) {
      await expect(completeUpload(deps, dataset, f), label).rejects.toMatchObject({ code });
    }
    expect({
      parts: await count("parts"),
      blobs: await count("blobs"),
      files: (await filesUnder(root)).length,
    }).toEqual(before);
    expect(await count("audit_events where action = 'upload.rejected' and workspace_id = $1", [ws.workspaceId])).toBe(
      rejectedBefore + cases.length * 2,
    );
  });

  it("refuses a file that is not STEP after the upload and removes its bytes", async () => {
    const bytes = Buffer.from("PK\u0003\u0004 this is a zip, not a STEP file");
    const file = { name: "fake.step", size: bytes.length, sha256: sha(bytes) };
    expect(await beginUploads(deps, dataset, [file])).toMatchObject([{ status: "upload" }]);
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    await expect(completeUpload(deps, dataset, file)).rejects.toMatchObject({ code: "NOT_A_STEP_FILE" });
    expect(await store.head(uploadKey(ws.workspaceId, file.sha256))).toBeNull();
    expect(await store.head(blobKey(file.sha256))).toBeNull();
    expect(await count("blobs where sha256 = $1", [file.sha256])).toBe(0);
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(0);
  });

  it("refuses a declared length that does not match the uploaded bytes, and completion before any upload", async () => {
    const bytes = await step("mfcad/0-0-4-11-13-23.step");
    const file = { name: "p.step", size: bytes.length, sha256: sha(bytes) };
    await expect(completeUpload(deps, dataset, file)).rejects.toMatchObject({ code: "UPLOAD_MISSING" });
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    await expect(completeUpload(deps, dataset, { ...file, size: file.size + 1 })).rejects.toMatchObject({
      code: "CONTENT_MISMATCH",
    });
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(0);
    // nothing of a refused upload stays: it must be uploaded again
    expect(await store.head(uploadKey(ws.workspaceId, file.sha256))).toBeNull();
    await expect(completeUpload(deps, dataset, file)).rejects.toMatchObject({ code: "UPLOAD_MISSING" });
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    expect(await completeUpload(deps, dataset, file)).toMatchObject({ created: true });
    // a part of content the workspace holds: declaring another size is refused at once
    const [again] = await beginUploads(deps, dataset, [{ ...file, name: "p2.step", size: file.size - 1 }]);
    expect(again).toMatchObject({ status: "rejected", error: { code: "CONTENT_MISMATCH" } });
  });

  it("leaves no part and no half-written blob when storage fails mid-way", async () => {
    const bytes = await step("mfcad/0-0-8-8-11-23.step");
    const file = { name: "broken.step", size: bytes.length, sha256: sha(bytes) };
    const failing = new Readable({
      read() {
        this.push(bytes.subarray(0, 1000));
        this.destroy(new Error("connection reset by peer"));
      },
    });
    await expect(store.put(uploadKey(ws.workspaceId, file.sha256), failing, file)).rejects.toThrow();
    expect((await filesUnder(root)).filter((f) => f.includes(file.sha256) || f.includes(".tmp"))).toEqual([]);
    await expect(completeUpload(deps, dataset, file)).rejects.toMatchObject({ code: "UPLOAD_MISSING" });
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(0);
  });

  it("lets only uploaders record parts: an annotator's or viewer's completion is refused by the database", async () => {
    const bytes = await step("mfcad/0-1-2-3-19.step");
    const file = { name: "q.step", size: bytes.length, sha256: sha(bytes) };
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    for (const role of ["annotator", "viewer"] as const) {
      await expect(completeUpload({ ...deps, claims: ws.users[role].claims }, dataset, file)).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    expect(await count("parts where blob_sha256 = $1", [file.sha256])).toBe(0);
    expect(await count("blobs where sha256 = $1", [file.sha256])).toBe(0);
  });

  it("refuses writing into a dataset of a workspace the uploader does not belong to", async () => {
    const other = await createWorkspaceWithRoles(db.owner, "elsewhere");
    const foreign = { id: other.datasetId, workspaceId: other.workspaceId, name: "parts" };
    const bytes = await step("mfcad/0-1-5-5-13-23.step");
    const file = { name: "x.step", size: bytes.length, sha256: sha(bytes) };
    await store.put(uploadKey(other.workspaceId, file.sha256), Readable.from([bytes]), file);
    await expect(completeUpload(deps, foreign, file)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await count("parts where dataset_id = $1", [other.datasetId])).toBe(0);
    expect(await count("blobs where sha256 = $1", [file.sha256])).toBe(0);
  });

  it("links stored content only for a workspace that proved it holds the bytes, never on a hash alone", async () => {
    // workspace A stores a file
    const bytes = await step("mfcad/0-10-14-14-14-23.step");
    const file = { name: "secret.step", size: bytes.length, sha256: sha(bytes) };
    await beginUploads(deps, dataset, [file]);
    await store.put(uploadKey(ws.workspaceId, file.sha256), Readable.from([bytes]), file);
    const inA = await completeUpload(deps, dataset, file);
    expect(inA.created).toBe(true);

    // a member of workspace B knows only its hash (and any size)
    const b = await createWorkspaceWithRoles(db.owner, "prober");
    const bDataset = { id: b.datasetId, workspaceId: b.workspaceId, name: "parts" };
    const bDeps = { ...deps, claims: b.users.engineer.claims };
    const unknown = { name: "never-stored.step", size: 1234, sha256: sha(Buffer.from("never stored anywhere")) };
    const answers = await beginUploads(bDeps, bDataset, [file, { ...file, name: "other-size.step", size: 7 }, unknown]);
    // the same answer as for content stored nowhere: an upload URL for B's own upload key
    expect(answers.map((a) => a.status)).toEqual(["upload", "upload", "upload"]);
    for (const a of answers) {
      if (a.status !== "upload") throw new Error("expected uploads");
      expect(new URL(a.put.url).pathname).toBe(`/api/blobs/${uploadKey(b.workspaceId, a.sha256)}`);
    }
    // completing without uploading is refused: the bytes stored for A prove nothing for B
    await expect(completeUpload(bDeps, bDataset, file)).rejects.toMatchObject({ code: "UPLOAD_MISSING" });
    expect(await count("parts where workspace_id = $1", [b.workspaceId])).toBe(0);
    // and the database refuses a part of B on A's content, whatever the API does
    const c = await db.owner.connect();
    try {
      await c.query("begin");
      await c.query("set local role authenticated");
      await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(b.users.engineer.claims)]);
      await expect(
        c.query(
          "insert into public.parts (workspace_id, dataset_id, blob_sha256, name, created_by) values ($1, $2, $3, 'x.step', $4)",
          [b.workspaceId, b.datasetId, file.sha256, b.users.engineer.id],
        ),
      ).rejects.toMatchObject({ code: "42501" });
      await c.query("rollback");
    } finally {
      c.release();
    }

    // B uploads the bytes itself: verified, linked to the one stored copy, B's upload removed
    await store.put(uploadKey(b.workspaceId, file.sha256), Readable.from([bytes]), file);
    const inB = await completeUpload(bDeps, bDataset, file);
    expect(inB.created).toBe(true);
    expect(await store.head(uploadKey(b.workspaceId, file.sha256))).toBeNull();
    expect((await filesUnder(root)).filter((f) => f.endsWith(file.sha256))).toEqual([
      path.join(root, blobKey(file.sha256)),
    ]);
    expect(await count("blobs where sha256 = $1", [file.sha256])).toBe(1);
    expect(
      (
        await db.owner.query("select workspace_id from workspace_blobs where sha256 = $1 order by proven_at", [
          file.sha256,
        ])
      ).rows
        .map((r) => r.workspace_id)
        .sort(),
    ).toEqual([ws.workspaceId, b.workspaceId].sort());
    // from now on B links it in its other datasets without sending it again
    const bOther = await db.owner.query<{ id: string }>(
      "insert into datasets (workspace_id, name) values ($1, 'second') returning id",
      [b.workspaceId],
    );
    const [linked] = await beginUploads(
      bDeps,
      { id: bOther.rows[0]?.id as string, workspaceId: b.workspaceId, name: "second" },
      [file],
    );
    expect(linked).toMatchObject({ status: "linked" });
  });

  // Issue 21, hostile input: declarations with generated names, sizes and hashes (fast-check, a fixed
  // seed; FACET_FUZZ_RUNS more runs). Each file is refused with a code and a message and leaves
  // nothing, or is taken as it was declared: a completed part carries exactly the declared name.
  it("takes any declared name, size and hash as declared or refuses it clearly, leaving nothing behind", async () => {
    const base = await step("mfcad/0-0-0-0-0-23.step");
    const name = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 }),
      fc.constantFrom(
        ".",
        "..",
        "...",
        "a/b.step",
        "C:\\part.step",
        "x".repeat(255),
        "x".repeat(256),
        "e\u0301.step",
        "\u00e9.step",
        "\u202egpj.step",
        " spaced .step",
        "\ud800.step",
        "%2e%2e%2fetc",
        "<img src=x onerror=alert(1)>.step",
        "'; drop table parts; --.step",
      ),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        name,
        fc.constantFrom("exact", "negative", "zero", "fraction", "huge", "off by one", "text"),
        fc.constantFrom("exact", "short", "upper", "other"),
        async (fileName, sizeKind, hashKind) => {
          // fresh bytes each run (a comment after the header line), so that nothing is "present" by chance
          const bytes = Buffer.from(
            base.toString("latin1").replace("ISO-10303-21;", `ISO-10303-21;\n/* ${run++} */`),
            "latin1",
          );
          const real = { size: bytes.length, sha256: sha(bytes) };
          const size = {
            exact: real.size,
            negative: -real.size,
            zero: 0,
            fraction: real.size + 0.5,
            huge: 2 ** 53,
            "off by one": real.size + 1,
            text: String(real.size),
          }[sizeKind];
          const sha256 = {
            exact: real.sha256,
            short: real.sha256.slice(1),
            upper: real.sha256.toUpperCase(),
            other: sha(Buffer.from(`other ${run}`)),
          }[hashKind];
          const declared = { name: fileName, size, sha256 };
          const before = { parts: await count("parts"), blobs: await count("blobs") };

          const [answer] = await beginUploads(deps, dataset, [declared]);
          expect(["upload", "rejected"]).toContain(answer?.status);
          if (answer?.status === "rejected") {
            expect(answer.error.code).toMatch(/^[A-Z_]+$/);
            expect(answer.error.message.length).toBeGreaterThan(0);
            expect({ parts: await count("parts"), blobs: await count("blobs") }).toEqual(before);
            return;
          }
          // asked for the bytes: the client sends the file it has
          await store
            .put(uploadKey(ws.workspaceId, sha256 as string), Readable.from([bytes]), real)
            .catch(() => undefined);
          const truthful = size === real.size && sha256 === real.sha256;
          const done = await completeUpload(deps, dataset, declared).then(
            (r) => r,
            (e: { code?: string; message?: string }) => e,
          );
          if (truthful) {
            expect(done).toMatchObject({ created: true, part: { name: fileName } });
            const stored = await db.owner.query("select name from parts where blob_sha256 = $1", [real.sha256]);
            expect(stored.rows).toEqual([{ name: fileName }]);
          } else {
            expect((done as { code?: string }).code).toMatch(/^[A-Z_]+$/);
            expect({ parts: await count("parts"), blobs: await count("blobs") }).toEqual(before);
          }
        },
      ),
      { numRuns: Number(process.env.FACET_FUZZ_RUNS ?? 60), seed: 21, endOnFailure: true },
    );
  });

  it("recognises STEP headers, with a byte-order mark or leading white space", () => {
    expect(looksLikeStep(Buffer.from("ISO-10303-21;\nHEADER;"))).toBe(true);
    expect(looksLikeStep(Buffer.from("\uFEFF  \r\nISO-10303-21;"))).toBe(true);
    expect(looksLikeStep(Buffer.from("solid cube\n facet normal"))).toBe(false);
    expect(looksLikeStep(Buffer.alloc(0))).toBe(false);
  });
});
