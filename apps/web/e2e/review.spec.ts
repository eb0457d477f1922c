import { expect, type Page, test } from "@playwright/test";
import { bigVisibleFace, confirmUnsureFaces, joinWorkspace, query, signInAdmin, uploadNistPart } from "./helpers";

// The review loop on a real NIST part: an annotator submits, an engineer rejects with a note pinned
// to a face, the annotator fixes it and resubmits, the engineer approves. Each person has a browser
// of their own, so what reaches them without a reload proves the live updates.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const LAB = { name: "Review Lab", slug: "review-lab" };
const FAY = { email: "fay@example.test", password: "annotator fay pw" };
const GIL = { email: "gil@example.test", password: "engineer gil pw" };
const PART = "nist_ftc_11_asme1_rb.stp";
const OTHER = "nist_ctc_01_asme1_rd.stp";

let admin: Page;
let fay: Page;
let gil: Page;
let partId: string;
let otherId: string;
let notedFace: number;

/** Label every face of the part the annotator has open as stock, except `except` (given `hotkey`). */
async function labelAllStock(page: Page): Promise<void> {
  await page.getByRole("button", { name: /Select all unlabelled/ }).click();
  await page.keyboard.press("1");
  await expect(page.getByTestId("unlabelled-count")).toHaveText("0");
}

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await signInAdmin(admin);
  const ws = await admin.request.post("/api/workspaces", { data: { name: LAB.name } });
  expect(ws.status()).toBe(201);
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "Plates" } });
  const { dataset } = await ds.json();
  // this spec labels parts from scratch: no pre-labels
  await query("update datasets set prelabel = false where id = $1", [dataset.id]);
  await uploadNistPart(admin, LAB.slug, dataset.id, PART);
  await uploadNistPart(admin, LAB.slug, dataset.id, OTHER);
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="unannotated"] .n')).toHaveText("2", { timeout: 1000 });
  }).toPass({ timeout: 150_000 });
  const rows = await query<{ id: string; name: string }>(
    "select p.id, p.name from parts p join workspaces w on w.id = p.workspace_id where w.slug = $1",
    [LAB.slug],
  );
  partId = (rows.find((r) => r.name === PART) as { id: string }).id;
  otherId = (rows.find((r) => r.name === OTHER) as { id: string }).id;
  fay = await joinWorkspace(browser, admin, LAB.slug, FAY, "annotator");
  gil = await joinWorkspace(browser, admin, LAB.slug, GIL, "engineer");
});

test("submit → reject with a note on a face → the annotator sees it, fixes, resubmits → approve, live in two browsers", async () => {
  // the reviewer waits on the review queue; nothing is there yet
  await gil.goto(`/w/${LAB.slug}/review`);
  await expect(gil.getByText("Nothing waits for review.")).toBeVisible();

  // the annotator claims the part (the queue serves the first upload first), labels it and submits
  await fay.goto(`/w/${LAB.slug}/queue`);
  await expect(fay.locator("body[data-shortcuts=ready]")).toHaveCount(1);
  await fay.keyboard.press("n");
  await expect(fay).toHaveURL(`/w/${LAB.slug}/parts/${partId}/label`);
  await expect(fay.locator("[data-viewer=ready]")).toHaveCount(1, { timeout: 60_000 });
  await labelAllStock(fay);
  await confirmUnsureFaces(fay);
  const row = gil.locator(`[data-testid=review-row][data-part-id="${partId}"]`);
  const submittedAt = Date.now();
  await fay.getByRole("button", { name: "Submit for review" }).click();

  // it reaches the reviewer's open queue without a reload (how long it took is reported, not asserted)
  await expect(row).toBeVisible({ timeout: 5_000 });
  test.info().annotations.push({
    type: "live update",
    description: `submit → reviewer's queue: ${Date.now() - submittedAt} ms`,
  });
  console.log(`[review] submit click → row in the reviewer's open queue: ${Date.now() - submittedAt} ms`);
  await expect(fay).toHaveURL(new RegExp(`/w/${LAB.slug}/queue\\?submitted=`));
  await expect(row).toContainText(FAY.email);
  await expect(gil.getByTestId("nav-review-count")).toHaveText("1");

  // the reviewer opens it, pins a note on a face and rejects
  await row.getByRole("link", { name: PART }).click();
  await expect(gil).toHaveURL(`/w/${LAB.slug}/parts/${partId}/review`);
  await expect(gil.locator("[data-viewer=ready]")).toHaveCount(1, { timeout: 60_000 });
  const target = await bigVisibleFace(gil);
  notedFace = target.face;
  await gil.getByRole("button", { name: /Pin note/ }).click();
  await gil.mouse.click(target.x, target.y);
  await gil.getByLabel("Note", { exact: true }).fill("This face is the bore of a hole, not stock.");
  await gil.getByRole("button", { name: "Add", exact: true }).click();
  await expect(gil.getByTestId("pins").locator("[data-pin]")).toHaveCount(1);
  await gil.getByLabel("Review summary").fill("One face is labelled wrong.");
  await gil.getByRole("button", { name: "Reject with notes" }).click();
  await expect(gil).toHaveURL(new RegExp(`/w/${LAB.slug}/review\\?reviewed=`));
  await expect(gil.getByText("Nothing waits for review.")).toBeVisible();

  const [afterReject] = await query<{ status: string; annotator: string; returned: boolean }>(
    `select p.status, u.email as annotator, p.returned_at is not null as returned
     from parts p join auth.users u on u.id = p.annotator_id where p.id = $1`,
    [partId],
  );
  expect(afterReject).toEqual({ status: "in_progress", annotator: FAY.email, returned: true });
  const [note] = await query<{ face_index: number; kind: string; point: number[] }>(
    "select face_index, kind, point from comments where part_id = $1",
    [partId],
  );
  expect(note?.kind).toBe("review_note");
  expect(note?.face_index).toBe(notedFace);
  expect(note?.point).toHaveLength(3);

  // the annotator (on her queue page) is notified without a reload, and the part is back with her
  await expect(fay.getByTestId("unread-count")).toHaveText("1", { timeout: 5_000 });
  await fay.reload();
  const held = fay.getByTestId("held-part").filter({ hasText: PART });
  await expect(held.getByTestId("returned")).toBeVisible();
  await held.getByRole("link", { name: "Continue labelling" }).click();
  await expect(fay.locator("[data-viewer=ready]")).toHaveCount(1, { timeout: 60_000 });

  // she sees the note on that face: the note names it, its pin is on the part, opening it selects the face
  const notes = fay.getByTestId("review-notes");
  await expect(notes).toContainText("One face is labelled wrong.");
  const item = notes.getByTestId("review-note");
  await expect(item).toHaveAttribute("data-face", String(notedFace));
  await expect(item).toContainText("This face is the bore of a hole, not stock.");
  await expect(fay.getByTestId("pins").locator("[data-pin]")).toHaveCount(1);
  await item.getByRole("button", { name: `face ${notedFace}` }).click();
  await expect(fay.getByTestId("selection-panel")).toContainText("1 face(s)");

  // fixes it (through hole, hotkey 2), marks the note fixed and resubmits
  await fay.keyboard.press("2");
  await item.getByRole("button", { name: "Fixed" }).click();
  await expect(item).toHaveAttribute("data-resolved", "yes");
  await expect(fay.getByTestId("save-status")).toHaveAttribute("data-kind", "saved");
  await fay.getByRole("button", { name: "Submit for review" }).click();
  await expect(fay).toHaveURL(new RegExp(`/w/${LAB.slug}/queue\\?submitted=`));

  // back in the reviewer's queue (still open since the rejection), live; the diff against the
  // previous submission is that one face
  const again = gil.locator(`[data-testid=review-row][data-part-id="${partId}"]`);
  await expect(again).toBeVisible({ timeout: 5_000 });
  await expect(again).toContainText(/returned 1/i);
  await again.getByRole("link", { name: PART }).click();
  await expect(gil.locator("[data-viewer=ready]")).toHaveCount(1, { timeout: 60_000 });
  await gil
    .getByTestId("diff-mode")
    .getByText(/previous submission/i)
    .click();
  await gil.keyboard.press("]");
  await expect(gil.getByTestId("change-info")).toContainText(`face ${notedFace}`);
  await expect(gil.getByTestId("change-info")).toContainText("Through hole");
  await gil.keyboard.press("]");
  await expect(gil.getByTestId("change-info")).toContainText(`face ${notedFace}`); // the only change: wraps around

  await gil.getByRole("button", { name: "Approve" }).click();
  await expect(gil).toHaveURL(new RegExp(`/w/${LAB.slug}/review\\?reviewed=`));
  await expect(gil.getByText("Nothing waits for review.")).toBeVisible();
  const reviews = await query<{ decision: string; revision_no: number }>(
    "select decision, revision_no from part_reviews where part_id = $1 order by created_at",
    [partId],
  );
  expect(reviews.map((r) => r.decision)).toEqual(["rejected", "approved"]);
  const [approved] = await query<{ status: string }>("select status from parts where id = $1", [partId]);
  expect(approved?.status).toBe("approved");

  // the part's history tells the story, with who did what
  await gil.goto(`/w/${LAB.slug}/parts/${partId}`);
  const history = gil.getByTestId("history");
  await expect(history).toContainText(/submitted/i);
  await expect(history).toContainText(/rejected/i);
  await expect(history).toContainText(/approved/i);
  await expect(history).toContainText(FAY.email);
  await expect(history).toContainText(GIL.email);
});

test("only engineers and admins review, never their own work; the annotator cannot approve", async () => {
  const res = await fay.request.post(`/api/workspaces/${LAB.slug}/parts/${partId}/review`, {
    data: { decision: "approved", revisionNo: 1 },
  });
  expect(res.status()).toBe(403);
  expect((await res.json()).error.code).toBe("ROLE_REQUIRED");
  await fay.goto(`/w/${LAB.slug}/review`);
  await expect(fay.getByText(/review queue/i).first()).toBeVisible();
  await expect(fay.locator("[data-testid=review-row]")).toHaveCount(0);
  // an invalid review is refused with a clear JSON error, never a stack trace
  const bad = await gil.request.post(`/api/workspaces/${LAB.slug}/parts/${partId}/review`, {
    data: { decision: "rejected", revisionNo: 1 },
  });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe("VALIDATION_FAILED");
});

test("comments: threads, @mentions notify live, text stays text, resolve and reopen", async () => {
  await fay.goto(`/w/${LAB.slug}/queue`);
  await expect(fay.getByTestId("unread-count")).toHaveCount(1);
  const before = Number((await fay.getByTestId("unread-count").textContent()) || "0");
  await fay.getByTestId("notifications").click();
  await fay.getByRole("button", { name: /Mark all read/ }).click();
  await expect(fay.getByTestId("unread-count")).toHaveCount(0);
  await fay.keyboard.press("Escape"); // closes the list
  expect(before).toBeGreaterThan(0);

  await gil.goto(`/w/${LAB.slug}/parts/${partId}#comments`);
  const box = gil.getByLabel("Comment", { exact: true });
  await box.fill("@fay please look at <b>this</b> bore, and @nobody-here too");
  await gil.getByRole("button", { name: /^(Comment|Post)/ }).click();
  const thread = gil.getByTestId("comment-thread").last();
  await expect(thread.getByTestId("comment-body").first()).toContainText("<b>this</b>");
  await expect(thread.locator("b")).toHaveCount(0);
  // the member is shown as mentioned; the unknown handle stays plain text
  await expect(thread.locator(".mention")).toHaveText(["@fay"]);

  // the mentioned annotator is told at once; the unknown handle notifies nobody
  await expect(fay.getByTestId("unread-count")).toHaveText("1", { timeout: 5_000 });
  const mentions = await query<{ n: number }>(
    "select count(*)::int as n from notifications where kind = 'mention' and part_id = $1",
    [partId],
  );
  expect(mentions[0]?.n).toBe(1);

  // she opens it from the bell, replies; the reviewer's page shows the reply without a reload
  await fay.getByTestId("notifications").click();
  await fay
    .getByText(/mentioned you/)
    .first()
    .click();
  await expect(fay).toHaveURL(new RegExp(`/w/${LAB.slug}/parts/${partId}`));
  const hers = fay.getByTestId("comment-thread").last();
  await hers.getByRole("button", { name: "Reply" }).click();
  await hers.getByLabel(/Reply/).fill("Done, it is a through hole now.");
  await hers
    .getByRole("button", { name: /^(Reply|Send|Post)$/ })
    .last()
    .click();
  await expect(thread).toContainText("Done, it is a through hole now.", { timeout: 5_000 });

  await thread.getByRole("button", { name: "Resolve" }).click();
  await expect(thread.getByRole("button", { name: "Reopen" })).toBeVisible();
  await expect(hers.getByRole("button", { name: "Reopen" })).toBeVisible({ timeout: 5_000 });
  await thread.getByRole("button", { name: "Reopen" }).click();
  await expect(thread.getByRole("button", { name: "Resolve" })).toBeVisible();
});

test("share links: a guest reads and comments on one part only; revoked and expired links are refused", async ({
  browser,
}) => {
  await gil.goto(`/w/${LAB.slug}/parts/${partId}`);
  const panel = gil.getByTestId("share-links");
  await panel.getByLabel("Access").selectOption("comment");
  await panel.getByLabel("Expires in days").fill("7");
  await panel.getByRole("button", { name: /Create/ }).click();
  const url =
    (await panel
      .getByTestId("share-url")
      .inputValue()
      .catch(() => null)) ?? ((await panel.getByTestId("share-url").textContent()) as string);
  const token = (url.match(/\/s\/([A-Za-z0-9_-]{43})/) as RegExpMatchArray)[1] as string;
  const [stored] = await query<{ token_hash: string }>("select token_hash from share_links where part_id = $1", [
    partId,
  ]);
  expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(stored?.token_hash).not.toContain(token);

  const guest = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
  await guest.goto(`/s/${token}`);
  await expect(guest.getByTestId("shared-part")).toContainText(PART);
  await guest.getByLabel("Your name").fill("Hal from the customer");
  await guest.getByLabel("Comment", { exact: true }).fill("Looks right to us.");
  await guest.getByRole("button", { name: /^(Comment|Post)/ }).click();
  await expect(guest.getByTestId("comment-body").filter({ hasText: "Looks right to us." })).toBeVisible();
  // what the link grants: this part and nothing else
  const shared = await guest.request.get(`/api/share/${token}`);
  expect((await shared.json()).part.id).toBe(partId);
  expect((await guest.request.get(`/api/workspaces/${LAB.slug}/parts/${otherId}/comments`)).status()).toBe(401);

  // revoked: refused at once
  await gil.reload();
  await gil.getByTestId("share-links").getByRole("button", { name: "Revoke" }).first().click();
  // revoking asks first, in the page
  const ask = gil.getByRole("dialog", { name: "Revoke this share link?" });
  await ask.getByRole("button", { name: "Cancel" }).click();
  await expect(ask).toHaveCount(0);
  expect((await guest.request.get(`/api/share/${token}`)).status()).toBe(200);
  await gil.getByTestId("share-links").getByRole("button", { name: "Revoke" }).first().click();
  await ask.getByRole("button", { name: "Revoke link" }).click();
  await expect(gil.getByTestId("share-links")).toContainText(/revoked/i);
  await guest.reload();
  await expect(guest.getByTestId("share-invalid")).toBeVisible();
  const gone = await guest.request.get(`/api/share/${token}`);
  expect(gone.status()).toBe(410);
  expect((await gone.json()).error.code).toBe("SHARE_LINK_INVALID");

  // a read-only link that has expired is refused the same way
  const created = await gil.request.post(`/api/workspaces/${LAB.slug}/parts/${partId}/share-links`, {
    data: { access: "read", expiresInDays: 1 },
  });
  expect(created.status()).toBe(201);
  const readOnly = await created.json();
  const ok = await guest.request.post(`/api/share/${readOnly.token}/comments`, {
    data: { body: "can I?", authorName: "Hal" },
  });
  expect(ok.status()).toBe(403);
  await query("update share_links set expires_at = now() - interval '1 minute' where id = $1", [readOnly.link.id]);
  await guest.goto(`/s/${readOnly.token}`);
  await expect(guest.getByTestId("share-invalid")).toBeVisible();
});

test("a backlog longer than a page: the header counts every waiting part and says the oldest are shown", async () => {
  // a workspace of its own, 60 parts waiting (52 in one dataset, 8 in another), submitted a minute apart
  const slug = "review-backlog";
  expect((await admin.request.post("/api/workspaces", { data: { name: "Review Backlog" } })).status()).toBe(201);
  const datasets: string[] = [];
  for (const name of ["Big batch", "Small batch"]) {
    const res = await admin.request.post(`/api/workspaces/${slug}/datasets`, { data: { name } });
    datasets.push((await res.json()).dataset.id);
  }
  await query(
    `with b as (insert into blobs (sha256, size, storage_key)
                select encode(sha256(('review-backlog-' || g)::bytea), 'hex'), 10, 'blobs/e2e/review-backlog-' || g
                from generate_series(1, 60) g returning sha256, storage_key)
     insert into parts (workspace_id, dataset_id, blob_sha256, name, status, status_changed_at)
     select w.id, case when n <= 52 then $2::uuid else $3::uuid end, b.sha256,
            'backlog-' || lpad(n::text, 2, '0') || '.step', 'in_review', now() - make_interval(mins => (100 - n)::int)
     from (select b.*, row_number() over (order by b.storage_key) as n from b) b, workspaces w where w.slug = $1`,
    [slug, datasets[0], datasets[1]],
  );
  await admin.goto(`/w/${slug}/review`);
  await expect(admin.getByTestId("review-count")).toContainText("60 parts wait for review, the oldest 50 shown");
  await expect(admin.locator("[data-testid=review-row]")).toHaveCount(50);
  // the oldest first: the first row is the first submitted
  await expect(admin.locator("[data-testid=review-row]").first()).toContainText("backlog-01.step");
  const names = await admin.locator("[data-testid=review-row] a").allTextContents();
  expect(names).toEqual([...names].sort());
  // filtered to the small dataset, all of it fits: no "shown" any more
  await admin.getByTestId("filter-dataset").selectOption({ label: "Small batch" });
  await expect(admin.getByTestId("review-count")).toHaveText(/^8 parts wait for review \(filtered\)/);
  await expect(admin.locator("[data-testid=review-row]")).toHaveCount(8);
  // the API gives the same count, and longer pages when asked, up to 200
  const api = await admin.request.get(`/api/workspaces/${slug}/review-queue?limit=55`);
  const page = await api.json();
  expect([page.waiting, page.items.length]).toEqual([60, 55]);
  const tooLong = await admin.request.get(`/api/workspaces/${slug}/review-queue?limit=201`);
  expect(tooLong.status()).toBe(400);
  expect((await tooLong.json()).error.code).toBe("VALIDATION_FAILED");
});
