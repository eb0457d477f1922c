import { type Browser, expect, type Page, test } from "@playwright/test";
import { joinWorkspace, query, signInAdmin, uploadNistPart, WORKSPACE } from "./helpers";

// What a first use found on the admin's and the ML engineer's side (issue 17, items 13 and 15), each
// written to fail on the main before it.

const PASSWORD = "amber kestrel ledger 5813";
const stamp = () => `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

/** A new member with this role, signed in in their own browser (joined through an invitation link). */
const newMember = (browser: Browser, admin: Page, role: string, workspace = WORKSPACE.slug) =>
  joinWorkspace(
    browser,
    admin,
    workspace,
    { email: `${role.replace("_", "-")}-${stamp()}@example.test`, password: PASSWORD },
    role,
  );

/** Someone opens an invitation link in their own browser and joins with a new account. */
async function joinWith(browser: Browser, link: string, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(new URL(link).pathname);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Join workspace" }).click();
  await expect(page).toHaveURL(`/w/${WORKSPACE.slug}`);
  return page;
}

test("invitation links stay listed until dismissed, copy to the clipboard, show who used them; revoking asks first", async ({
  browser,
}) => {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const admin = await context.newPage();
  await signInAdmin(admin);
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  const create = async (role: string) => {
    await admin.getByLabel("Role for the invitation").selectOption(role);
    await admin.getByRole("button", { name: "Create invitation link" }).click();
  };

  // two links made one after the other: both stay, newest first, each saying what it grants
  await create("ml_engineer");
  await expect(admin.getByLabel("Invitation link")).toHaveCount(1);
  await create("viewer");
  await expect(admin.getByLabel("Invitation link")).toHaveCount(2);
  const cards = admin.getByTestId("created-invitation");
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toContainText("Viewer");
  await expect(cards.nth(1)).toContainText("ML engineer");
  const [viewerLink, mlLink] = await Promise.all(
    [0, 1].map((i) => cards.nth(i).getByLabel("Invitation link").inputValue()),
  );
  for (const link of [viewerLink, mlLink]) expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  expect(viewerLink).not.toBe(mlLink);
  const [viewerId, mlId] = await Promise.all([0, 1].map((i) => cards.nth(i).getAttribute("data-invitation")));

  // Copy puts that card's link on the clipboard, and says so
  await cards.nth(1).getByRole("button", { name: "Copy", exact: true }).click();
  await expect(cards.nth(1).getByRole("button", { name: "Copied", exact: true })).toBeVisible();
  await expect.poll(() => admin.evaluate(() => navigator.clipboard.readText())).toBe(mlLink);
  await cards.nth(0).getByRole("button", { name: "Copy", exact: true }).click();
  await expect.poll(() => admin.evaluate(() => navigator.clipboard.readText())).toBe(viewerLink);

  // someone joins with the ML engineer's link, in their own browser
  const email = `mel-${stamp()}@example.test`;
  await joinWith(browser, mlLink as string, email);

  // a link goes away only when dismissed
  await cards.nth(1).getByRole("button", { name: "Dismiss" }).click();
  await expect(cards).toHaveCount(1);
  await expect(cards.nth(0).getByLabel("Invitation link")).toHaveValue(viewerLink as string);

  // the list says who used each link, and when
  await admin.reload();
  const row = (id: string | null) => admin.locator(`[data-testid=invitations] tr[data-invitation="${id}"]`);
  await expect(row(mlId).getByTestId("invitation-state")).toHaveText("used");
  await expect(row(mlId).getByTestId("invitation-uses")).toContainText(email);
  await expect(row(viewerId).getByTestId("invitation-uses")).not.toContainText("@");

  // revoking asks first: Cancel and Escape keep the link open; confirming revokes it
  const revoke = row(viewerId).getByRole("button", { name: "Revoke" });
  const dialog = admin.getByRole("dialog", { name: /Revoke/ });
  await revoke.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Viewer");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await revoke.click();
  await expect(dialog).toBeVisible();
  await admin.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row(viewerId).getByTestId("invitation-state")).toHaveText("open");
  const [still] = await query<{ revoked_at: string | null }>("select revoked_at from invitations where id = $1", [
    viewerId,
  ]);
  expect(still?.revoked_at).toBeNull();
  await revoke.click();
  await dialog.getByRole("button", { name: "Revoke link" }).click();
  await expect(dialog).toBeHidden();
  await expect(row(viewerId).getByTestId("invitation-state")).toHaveText("revoked");
  const [gone] = await query<{ revoked_at: string | null }>("select revoked_at from invitations where id = $1", [
    viewerId,
  ]);
  expect(gone?.revoked_at).not.toBeNull();
});

test("an ML engineer sees a dataset's queue settings as text and cannot change them; an engineer can", async ({
  browser,
  page: admin,
}) => {
  await signInAdmin(admin);
  const created = await admin.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Queue rules ${stamp()}` },
  });
  const { dataset } = (await created.json()) as { dataset: { id: string } };
  const url = `/api/workspaces/${WORKSPACE.slug}/datasets/${dataset.id}`;
  const ml = await newMember(browser, admin, "ml_engineer");

  // the page: each setting as text, no control for it, no word about who else may change it
  await ml.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  await expect(ml.getByTestId("queue-order")).toContainText("Queue order: Least confident pre-labels first");
  for (const id of ["prelabel-setting", "queue-order", "required-annotations", "max-held-parts"]) {
    await expect(ml.getByTestId(id)).toBeVisible();
    await expect(ml.getByTestId(id).locator("select, input, button, textarea"), id).toHaveCount(0);
  }
  await expect(ml.getByRole("combobox", { name: "Queue order" })).toHaveCount(0);
  await expect(ml.getByRole("checkbox", { name: "Pre-label new parts" })).toHaveCount(0);
  await expect(ml.locator("main")).not.toContainText("ML engineers can change");

  // the API refuses each setting with a reason, and the database keeps what it had
  for (const data of [{ queueOrder: "oldest" }, { prelabel: false }, { requiredAnnotations: 2 }, { maxHeldParts: 5 }]) {
    const refused = await ml.request.patch(url, { data });
    expect(refused.status(), JSON.stringify(data)).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("ROLE_REQUIRED");
    expect(body.error.message).toContain("engineer");
  }
  const [stored] = await query<{ queue_order: string; prelabel: boolean; required: number; held: number }>(
    `select queue_order, prelabel, required_annotations as required, max_held_parts as held
     from datasets where id = $1`,
    [dataset.id],
  );
  expect(stored).toEqual({ queue_order: "least_confident", prelabel: true, required: 1, held: 3 });
  // what ML engineers do with datasets still works: they create them
  const own = await ml.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Curated ${stamp()}` },
  });
  expect(own.status()).toBe(201);

  // an engineer still runs the queue: on the page and through the API
  const eng = await newMember(browser, admin, "engineer");
  await eng.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  await eng.getByRole("combobox", { name: "Queue order" }).selectOption("oldest");
  await expect(eng.getByTestId("queue-order-saved")).toBeVisible();
  const changed = await eng.request.patch(url, { data: { maxHeldParts: 5 } });
  expect(changed.status()).toBe(200);
  expect(await changed.json()).toMatchObject({ dataset: { queueOrder: "oldest", maxHeldParts: 5 } });
});

test("each role sees only what it can do: no labelling controls for those who cannot label, no invitation to create what they cannot", async ({
  browser,
  page: admin,
}) => {
  test.setTimeout(240_000);
  await signInAdmin(admin);
  // a processed, pre-labelled part (instances with parameters)
  const created = await admin.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Roles walk ${stamp()}` },
  });
  const { dataset } = (await created.json()) as { dataset: { id: string } };
  await uploadNistPart(admin, WORKSPACE.slug, dataset.id, "nist_ctc_01_asme1_rd.stp");
  await expect
    .poll(
      async () =>
        (await query<{ status: string }>("select status from parts where dataset_id = $1", [dataset.id]))[0]?.status,
      { timeout: 150_000 },
    )
    .toBe("pre_labeled");
  const [part] = await query<{ id: string }>("select id from parts where dataset_id = $1", [dataset.id]);
  const label = `/w/${WORKSPACE.slug}/parts/${part?.id}/label`;

  for (const role of ["ml_engineer", "viewer", "annotator"] as const) {
    const page = await newMember(browser, admin, role);
    // the workbench of a part they do not hold: the labels to read, no labelling controls
    await page.goto(label);
    await expect(page.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("save-status")).toContainText("Read-only");
    await expect(page.getByTestId("instances").locator("[data-param]").first()).toBeVisible();
    await expect(page.getByTestId("instances").locator("input"), role).toHaveCount(0);
    await expect(page.getByTestId("palette"), role).toHaveCount(0);
    for (const name of ["Clear labels", "Bottom", "Split", "Merge", "Undo", "Redo"]) {
      await expect(page.getByRole("button", { name: new RegExp(`^${name}`) }), `${role}: ${name}`).toHaveCount(0);
    }
    // what they may do there stays: select, grow, look around
    await expect(page.getByRole("button", { name: /^Grow/ })).toBeVisible();
  }

  // a new workspace without datasets: its viewer is not told to create one
  const shop = await admin.request.post("/api/workspaces", { data: { name: `Empty shop ${stamp()}` } });
  const { workspace } = (await shop.json()) as { workspace: { slug: string } };
  const viewer = await newMember(browser, admin, "viewer", workspace.slug);
  await expect(viewer.getByText("You are a viewer in this workspace.")).toBeVisible();
  await expect(viewer.getByText("No datasets yet.")).toBeVisible();
  await expect(viewer.getByRole("link", { name: /Create one/ })).toHaveCount(0);
  await admin.goto(`/w/${workspace.slug}`);
  await expect(admin.getByRole("link", { name: "Create one in the catalog" })).toBeVisible();
});
