import { describe, expect, it } from "vitest";
import { type AuditEventInput, describeAuditEvent } from "./audit-sentence";

const ADA = "ada@example.test";
const HANA = "hana@example.test";
const WS = "5a0e6b9e-3c51-4f0f-9d1a-0b0c0d0e0f10";
const HANA_ID = "5a0e6b9e-3c51-4f0f-9d1a-0b0c0d0e0f11";

function ev(action: string, data: Record<string, unknown>, more: Partial<AuditEventInput> = {}): AuditEventInput {
  return { action, actorKind: "user", actorName: ADA, actorEmail: ADA, data, ...more };
}
const change = (from: unknown, to: unknown) => ({ from, to });

/** Every action the database and the app write (supabase/schema.sql, record_audit_event's list). */
const WRITTEN: AuditEventInput[] = [
  ev("workspace.created", { name: "Fixture Lab", slug: "fixture-lab" }),
  ev("workspace.updated", { changed: { name: change("Fixture Lab", "Fixture Lab 2") } }),
  ev("workspace.deleted", { row: { id: WS, name: "Fixture Lab", slug: "fixture-lab" } }),
  ev(
    "member.created",
    { row: { workspace_id: WS, user_id: HANA_ID, role: "annotator", invited_by: null } },
    { actorName: HANA, actorEmail: HANA, targetName: HANA },
  ),
  ev("member.updated", { changed: { role: change("annotator", "engineer") } }, { targetName: HANA }),
  ev("member.deleted", { row: { workspace_id: WS, user_id: HANA_ID, role: "engineer" } }, { targetName: HANA }),
  ev("invitation.created", {
    row: { role: "engineer", email: null, max_uses: 1, use_count: 0, expires_at: "2026-12-07T09:30:00+00:00" },
  }),
  ev(
    "invitation.updated",
    { changed: { use_count: change(0, 1) } },
    { actorName: HANA, actorEmail: HANA, targetRole: "engineer" },
  ),
  ev("invitation.deleted", { row: { role: "viewer", email: "vic@example.test" } }),
  ev("dataset.created", { row: { name: "Brackets", description: "", prelabel: true } }, { targetName: "Brackets" }),
  ev("dataset.updated", { changed: { required_annotations: change(1, 3) } }, { targetName: "Brackets" }),
  ev("dataset.deleted", { row: { name: "Brackets" } }),
  ev("label_schema.created", {
    row: { name: "Default", version: 1, is_default: true, taxonomy: { featureTypes: [] } },
  }),
  ev("label_schema.updated", { changed: { is_default: change(false, true) } }, { targetName: "Machined" }),
  ev("label_schema.deleted", { row: { name: "Old", version: 2 } }),
  ev("api_key.created", { row: { name: "CI", prefix: "fk_3f9a", scopes: ["parts:read"], user_id: HANA_ID } }),
  ev("api_key.updated", { changed: { revoked_at: change(null, "2026-12-01T10:00:00+00:00") } }, { targetName: "CI" }),
  ev("api_key.deleted", { row: { name: "CI", prefix: "fk_3f9a" } }),
  ev(
    "upload.completed",
    { name: "bracket.step", sha256: "ab".repeat(32), size: 1_234_567, partId: "p1" },
    { targetName: "Brackets", partName: "bracket.step" },
  ),
  ev(
    "upload.skipped",
    { name: "bracket.step", sha256: "ab".repeat(32), size: 1_234_567, partId: "p1" },
    { targetName: "Brackets", partName: "bracket.step" },
  ),
  ev("upload.skipped", { present: 2, linked: 1 }, { targetName: "Brackets" }),
  ev(
    "upload.rejected",
    { name: "notes.txt", sha256: null, size: 12, code: "NOT_STEP", reason: "not a STEP file" },
    { targetName: "Brackets" },
  ),
  ev("auth.signed_in", {}),
  ev("auth.signed_out", {}),
  ev("auth.signed_out_everywhere", {}),
  ev(
    "part.created",
    { name: "bracket.step", blob_sha256: "ab".repeat(32), dataset_id: "d1" },
    { partName: "bracket.step" },
  ),
  ev(
    "part.status_changed",
    { from: "uploaded", to: "processing", annotator_id: null },
    { actorKind: "service", actorName: null, actorEmail: null, partName: "bracket.step" },
  ),
  ev(
    "part.claimed",
    { lease_expires_at: "2026-12-01T10:15:00+00:00", expired_claim_of: null },
    { partName: "bracket.step" },
  ),
  ev("part.submitted", { revision_no: 4 }, { partName: "bracket.step" }),
  ev(
    "part.reviewed",
    { part_id: "p1", decision: "rejected", revision_no: 4, summary: "Face 3 is a hole" },
    { partName: "bracket.step" },
  ),
  ev(
    "part.annotation_recorded",
    { revision_no: 4, count: 1, required: 2, part_id: "p1" },
    { partName: "bracket.step" },
  ),
  ev(
    "part.updated",
    { changed: { review_notes: change(null, "x"), returned_at: change(null, "2026-12-01T10:00:00Z") } },
    { partName: "bracket.step" },
  ),
  ev("part.deleted", { name: "bracket.step", status: "approved" }),
  ev(
    "revision.created",
    { part_id: "p1", revision_no: 5, source: "human", model_assisted: false },
    { partName: "bracket.step" },
  ),
  ev(
    "comment.created",
    { part_id: "p1", kind: "comment", face_index: null, excerpt: "looks fine" },
    { partName: "bracket.step" },
  ),
  ev("comment.resolved", { part_id: "p1", kind: "review_note", excerpt: "hole" }, { partName: "bracket.step" }),
  ev("comment.reopened", { part_id: "p1", kind: "review_note", excerpt: "hole" }, { partName: "bracket.step" }),
  ev(
    "share_link.created",
    { part_id: "p1", access: "read", expires_at: "2026-12-07T09:30:00Z", label: "ACME" },
    { partName: "bracket.step" },
  ),
  ev("share_link.revoked", { part_id: "p1", access: "comment", label: null }, { partName: "bracket.step" }),
  ev("snapshot.created", { row: { name: "v1", part_count: 1200, checksum: "ab".repeat(32) } }),
  ev("export.created", { row: { format: "mfcad", include_meshes: false } }),
];

describe("describeAuditEvent", () => {
  it("tells every action written in a sentence: no action code, no column name, no JSON", () => {
    for (const e of WRITTEN) {
      const s = describeAuditEvent(e);
      expect(s, e.action).not.toContain(e.action);
      expect(s, e.action).not.toMatch(/[{}[\]"]|\b[a-z]+_[a-z_]+\b|undefined|null|\?/);
      expect(s.length, e.action).toBeGreaterThan(8);
    }
  });

  it("workspaces, members and invitations", () => {
    const s = WRITTEN.map(describeAuditEvent);
    expect(s.slice(0, 9)).toEqual([
      `${ADA} created the workspace Fixture Lab`,
      `${ADA} renamed the workspace from Fixture Lab to Fixture Lab 2`,
      `${ADA} deleted the workspace Fixture Lab`,
      `${HANA} joined the workspace as an annotator`,
      `${ADA} made ${HANA} an engineer (was an annotator)`,
      `${ADA} removed ${HANA} (an engineer) from the workspace`,
      `${ADA} created an invitation link for an engineer (expires 7 Dec 2026)`,
      `${HANA} accepted an invitation for an engineer`,
      `${ADA} deleted the invitation of vic@example.test`,
    ]);
    expect(describeAuditEvent(ev("member.created", { row: { role: "ml_engineer" } }, { targetName: HANA }))).toBe(
      `${ADA} added ${HANA} as an ML engineer`,
    );
    // people (issue 19): deactivation, reactivation, transfers, erasure
    expect(describeAuditEvent(ev("member.deactivated", { released_parts: 2 }, { targetName: HANA }))).toBe(
      `${ADA} deactivated ${HANA}; 2 parts they held went back to the queue`,
    );
    expect(describeAuditEvent(ev("member.deactivated", { released_parts: 0 }, { targetName: HANA }))).toBe(
      `${ADA} deactivated ${HANA}`,
    );
    expect(describeAuditEvent(ev("member.reactivated", {}, { targetName: HANA }))).toBe(`${ADA} reactivated ${HANA}`);
    expect(
      describeAuditEvent(ev("member.items_transferred", { datasets: 1, saved_filters: 3 }, { targetName: HANA })),
    ).toBe(`${ADA} moved 1 dataset and 3 saved filters of ${HANA} to another member`);
    expect(describeAuditEvent(ev("member.erased", { label: "Former member 7f3a" }))).toBe(
      `${ADA} erased the personal data of Former member 7f3a`,
    );
    expect(describeAuditEvent(ev("label_schema_mapping.created", { row: {} }))).toBe(
      `${ADA} made a new label schema version from an earlier one, with a class mapping`,
    );
    expect(
      describeAuditEvent(
        ev("member.deleted", { row: { role: "viewer" } }, { actorEmail: HANA, actorName: "Hana", targetName: HANA }),
      ),
    ).toBe(`${HANA} left the workspace`);
    expect(
      describeAuditEvent(ev("invitation.created", { row: { role: "viewer", email: "vic@example.test", max_uses: 5 } })),
    ).toBe(`${ADA} invited vic@example.test as a viewer (up to 5 people)`);
    expect(
      describeAuditEvent(
        ev(
          "invitation.updated",
          { changed: { revoked_at: change(null, "2026-12-01T00:00:00Z") } },
          { targetRole: "admin" },
        ),
      ),
    ).toBe(`${ADA} revoked an invitation for an admin`);
  });

  it("datasets, label schemas and API keys, by name", () => {
    const s = WRITTEN.map(describeAuditEvent);
    expect(s.slice(9, 18)).toEqual([
      `${ADA} created the dataset Brackets`,
      `${ADA} asked for 3 independent annotations of each part of Brackets`,
      `${ADA} deleted the dataset Brackets`,
      `${ADA} created the label schema Default (version 1)`,
      `${ADA} made Machined the default label schema`,
      `${ADA} deleted the label schema Old`,
      `${ADA} created the API key CI (fk_3f9a…)`,
      `${ADA} revoked the API key CI`,
      `${ADA} deleted the API key CI`,
    ]);
    expect(
      describeAuditEvent(
        ev(
          "dataset.updated",
          { changed: { name: change("A", "B"), prelabel: change(true, false), some_new_setting: change(1, 2) } },
          { targetName: "B" },
        ),
      ),
    ).toBe(`${ADA} renamed the dataset A to B, turned pre-labelling off for it and changed other settings of it`);
    expect(
      describeAuditEvent(ev("dataset.updated", { changed: { some_new_setting: change(1, 2) } }, { targetName: "B" })),
    ).toBe(`${ADA} changed the settings of B`);
    // learned pre-labels (issue 20): in words, never the column names
    expect(
      describeAuditEvent(
        ev(
          "dataset.updated",
          { changed: { learned_prelabel: change(false, true), retrain_after: change(25, 50) } },
          { targetName: "B" },
        ),
      ),
    ).toBe(`${ADA} turned learned pre-labels on for B and had B retrain after every 50 approvals`);
  });

  it("snapshots and exports", () => {
    const s = WRITTEN.map(describeAuditEvent);
    expect(s.slice(-2)).toEqual([`${ADA} froze the snapshot v1 (1200 parts)`, `${ADA} asked for an MFCAD export`]);
    expect(describeAuditEvent(ev("export.created", { row: { format: "parquet" } }, { targetName: "v1" }))).toBe(
      `${ADA} asked for a Parquet export of the snapshot v1`,
    );
  });

  it("uploads and sign-ins", () => {
    const s = WRITTEN.map(describeAuditEvent);
    expect(s.slice(18, 25)).toEqual([
      `${ADA} uploaded bracket.step to Brackets (1.2 MB)`,
      `${ADA} uploaded bracket.step to Brackets again: it was there already`,
      `${ADA} uploaded to Brackets: 2 files were there already and 1 part came from files the workspace already held`,
      `Brackets refused notes.txt from ${ADA}: not a STEP file`,
      `${ADA} signed in`,
      `${ADA} signed out`,
      `${ADA} signed out everywhere`,
    ]);
  });

  it("part events as the part's history tells them, naming the part", () => {
    const s = WRITTEN.map(describeAuditEvent);
    expect(s.slice(25, -2)).toEqual([
      `${ADA} created the part bracket.step`,
      "Processing of bracket.step started",
      `${ADA} claimed bracket.step`,
      `${ADA} submitted revision 4 of bracket.step`,
      `${ADA} rejected revision 4 of bracket.step: Face 3 is a hole`,
      `${ADA} completed independent annotation 1 of 2 of bracket.step`,
      `${ADA} wrote review notes on bracket.step: “x”`,
      `${ADA} deleted bracket.step`,
      `${ADA} saved revision 5 of bracket.step`,
      `${ADA} commented on bracket.step: “looks fine”`,
      `${ADA} resolved a review note on bracket.step: “hole”`,
      `${ADA} reopened a review note on bracket.step: “hole”`,
      `${ADA} created a read-only link to bracket.step “ACME” (expires 7 Dec 2026)`,
      `${ADA} revoked a comment link to bracket.step`,
    ]);
    // a part deleted since: its other events still read
    expect(describeAuditEvent(ev("part.claimed", {}, { partName: null }))).toBe(`${ADA} claimed a part since deleted`);
  });

  it("who acted: a name, an API key's owner, the platform, someone no longer visible", () => {
    expect(describeAuditEvent(ev("auth.signed_in", {}, { actorName: "Ada L." }))).toBe("Ada L. signed in");
    expect(describeAuditEvent(ev("dataset.created", { row: { name: "X" } }, { actorKind: "api_key" }))).toBe(
      `${ADA} (with an API key) created the dataset X`,
    );
    expect(
      describeAuditEvent(
        ev("dataset.created", { row: { name: "X" } }, { actorKind: "service", actorName: null, actorEmail: null }),
      ),
    ).toBe("Facet created the dataset X");
    expect(
      describeAuditEvent(ev("dataset.created", { row: { name: "X" } }, { actorName: null, actorEmail: null })),
    ).toBe("Someone created the dataset X");
  });

  it("an action it does not know reads as words", () => {
    expect(describeAuditEvent(ev("guest.was_here", {}))).toBe(`${ADA}: guest was here`);
    expect(describeAuditEvent(ev("dataset.archived", {}, { targetName: "Brackets" }))).toBe(
      `${ADA}: dataset archived (Brackets)`,
    );
    expect(describeAuditEvent(ev("export.finished", { rows: 3 }, { targetName: "Brackets" }))).toBe(
      `${ADA}: export finished (Brackets)`,
    );
  });
});
