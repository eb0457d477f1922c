import { createHash, randomUUID } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { joinWorkspace, query, signInAdmin, WORKSPACE } from "./helpers";

// People, for admins (issue 19 item 3): deactivate a member who is signed in elsewhere (their next
// page and API call are refused, their claim goes back to the queue), reactivate them, see last
// activity, transfer a leaver's dataset, erase a person's data.
test.describe.configure({ mode: "serial" });

const WS = WORKSPACE.slug;
const ANNOTATOR = { email: `ann-${randomUUID().slice(0, 6)}@example.test`, password: "annotator password 1" };
const LEAVER = { email: `leaver-${randomUUID().slice(0, 6)}@example.test`, password: "leaver password 1" };
let admin: Page;
let annotator: Page;
let leaver: Page;
let annotatorKey = "";
let partId = "";
let datasetId = "";

const idOf = async (email: string) =>
  (
    (await query<{ id: string }>("select id from auth.users where lower(email) = lower($1)", [email]))[0] as {
      id: string;
    }
  ).id;
const BASE = `http://localhost:${process.env.FACET_E2E_PORT ?? 3210}`;
/** A call with the API key alone (no cookies). */
const withKey = (path: string) => fetch(new URL(path, BASE), { headers: { authorization: `Bearer ${annotatorKey}` } });
const rowOf = (page: Page, email: string) => page.locator(`[data-testid=members] tr[data-email="${email}"]`);

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  annotator = await joinWorkspace(browser, admin, WS, ANNOTATOR, "annotator");
  leaver = await joinWorkspace(browser, admin, WS, LEAVER, "ml_engineer");
  // a part waiting in the queue (arranged in the database: what is tested here is who may hold it)
  const res = await admin.request.post(`/api/workspaces/${WS}/datasets`, { data: { name: `people-${Date.now()}` } });
  expect(res.status()).toBe(201);
  const { dataset } = await res.json();
  const sha = createHash("sha256").update(randomUUID()).digest("hex");
  await query("insert into public.blobs (sha256, size, storage_key) values ($1, 100, $2)", [sha, `blobs/e2e/${sha}`]);
  const [part] = await query<{ id: string }>(
    `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status)
     select w.id, $2, $3, 'people-part.step', 'unannotated' from public.workspaces w where w.slug = $1 returning id`,
    [WS, dataset.id, sha],
  );
  partId = (part as { id: string }).id;
  datasetId = dataset.id;
});

test("the annotator works: claims a part and uses a personal API key; the admin sees their last activity", async () => {
  // from this spec's dataset: other specs' parts wait in the same workspace's queue
  const claim = await annotator.request.post(`/api/workspaces/${WS}/queue/claim`, { data: { datasetId } });
  expect(claim.status()).toBe(200);
  expect((await claim.json()).part.id).toBe(partId);
  const key = await annotator.request.post("/api/api-keys", { data: { name: "script", scopes: ["read"] } });
  expect(key.status()).toBe(201);
  annotatorKey = (await key.json()).key;
  const viaKey = await withKey(`/api/workspaces/${WS}/members`);
  expect(viaKey.status).toBe(200);

  await admin.goto(`/w/${WS}/admin`);
  const row = rowOf(admin, ANNOTATOR.email);
  await expect(row.getByTestId("member-state")).toHaveText("Active");
  // the claim is an audited change in this workspace: it is their last activity here
  await expect(row.getByTestId("last-activity")).toContainText(String(new Date().getUTCFullYear()));
  await expect(row.getByTestId("last-activity")).not.toHaveText("never");
});

test("the admin deactivates the annotator: their next page and API calls are refused, the claim is released", async () => {
  await admin.goto(`/w/${WS}/admin`);
  const row = rowOf(admin, ANNOTATOR.email);
  await row.getByRole("button", { name: `Deactivate ${ANNOTATOR.email}` }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(row.getByTestId("member-state")).toHaveText("Deactivated");

  // signed in elsewhere: the next page load no longer shows the workspace
  const page = await annotator.goto(`/w/${WS}`);
  expect(page?.status()).toBe(404);
  const api = await annotator.request.get(`/api/workspaces/${WS}/members`);
  expect(api.status()).toBe(403);
  expect((await api.json()).error.code).toBe("NOT_A_MEMBER");
  const viaKey = await withKey(`/api/workspaces/${WS}/members`);
  expect(viaKey.status).toBe(403);
  // the part they held is back in the queue; their account still works (other workspaces are not ours)
  const [part] = await query<{ status: string; annotator_id: string | null }>(
    "select status, annotator_id from public.parts where id = $1",
    [partId],
  );
  expect(part).toEqual({ status: "unannotated", annotator_id: null });

  // an admin can neither deactivate themselves (no button) nor through the API
  const self = await admin.request.post(`/api/workspaces/${WS}/members/${await idOf("ada@example.test")}/deactivation`);
  expect(self.status()).toBe(403);
});

test("the admin reactivates the annotator: their session and key work again", async () => {
  await admin.goto(`/w/${WS}/admin`);
  const row = rowOf(admin, ANNOTATOR.email);
  await row.getByRole("button", { name: `Reactivate ${ANNOTATOR.email}` }).click();
  await expect(row.getByTestId("member-state")).toHaveText("Active");
  const page = await annotator.goto(`/w/${WS}`);
  expect(page?.status()).toBe(200);
  const viaKey = await withKey(`/api/workspaces/${WS}/members`);
  expect(viaKey.status).toBe(200);
});

test("a leaver's dataset is transferred to another member, and the transfer is audited", async () => {
  const name = `leaver-data-${Date.now()}`;
  const made = await leaver.request.post(`/api/workspaces/${WS}/datasets`, { data: { name } });
  expect(made.status()).toBe(201);
  const leaverId = await idOf(LEAVER.email);
  const adminId = await idOf("ada@example.test");
  await admin.goto(`/w/${WS}/admin/people/${leaverId}`);
  await expect(admin.getByTestId("person-datasets")).toHaveText(name);
  await admin.getByLabel("Transfer to").selectOption(adminId);
  await admin.getByRole("button", { name: "Transfer", exact: true }).click();
  await expect(admin.getByText("Transferred 1 dataset(s) and 0 saved filter(s).")).toBeVisible();
  await expect(admin.getByTestId("person-datasets")).toHaveText("none");
  const [owner] = await query<{ created_by: string }>("select d.created_by from public.datasets d where d.name = $1", [
    name,
  ]);
  expect(owner?.created_by).toBe(adminId);
  const events = await query<{ data: Record<string, unknown> }>(
    "select data from public.audit_events where action = 'member.items_transferred' and target_id = $1",
    [leaverId],
  );
  expect(events).toHaveLength(1);
  expect(events[0]?.data).toMatchObject({ to_user_id: adminId, datasets: 1 });
});

test("a person who belongs to another workspace too cannot be erased here; the message says why", async () => {
  const own = await annotator.request.post("/api/workspaces", { data: { name: "Annotator's own" } });
  expect(own.status()).toBe(201);
  const res = await admin.request.post(`/api/workspaces/${WS}/members/${await idOf(ANNOTATOR.email)}/erasure`, {
    data: { confirm: true },
  });
  expect(res.status()).toBe(409);
  expect((await res.json()).error.message).toMatch(/member of 1 other workspace/);
});

test("the admin erases the leaver: their name and email are gone everywhere, their work stays, they cannot sign in", async () => {
  const leaverId = await idOf(LEAVER.email);
  await admin.goto(`/w/${WS}/admin/people/${leaverId}`);
  await admin.getByRole("button", { name: "Erase personal data…" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Erase for good" }).click();
  await expect(
    admin.getByText(/^Erased: their work is now attributed to "Former member [0-9a-f]{4}"\.$/),
  ).toBeVisible();
  await expect(admin.getByTestId("person-name")).toHaveText(/^Former member [0-9a-f]{4}$/);
  await expect(admin.getByTestId("person-state")).toContainText("Erased");

  await admin.goto(`/w/${WS}/admin`);
  const row = admin.locator(`[data-testid=members] tr[data-user="${leaverId}"]`);
  await expect(row.getByTestId("member-state")).toHaveText("Erased");
  await expect(row).toContainText(/Former member [0-9a-f]{4}/);
  await expect(admin.getByTestId("members")).not.toContainText(LEAVER.email);

  // nowhere in the audit log, the profiles or the accounts
  const [found] = await query<{ n: number }>(
    `select (select count(*) from public.audit_events where strpos(lower(data::text), lower($1)) > 0)
          + (select count(*) from public.profiles where lower(email) = lower($1))
          + (select count(*) from auth.users where lower(email) = lower($1)) as n`,
    [LEAVER.email],
  );
  expect(Number(found?.n)).toBe(0);
  // their work (the dataset they made, now the admin's) stays; the erasure is in the log
  const [erased] = await query<{ n: number }>(
    "select count(*)::int as n from public.audit_events where action = 'member.erased' and target_id = $1",
    [leaverId],
  );
  expect(erased?.n).toBe(1);

  // their open session ends, and signing in again fails
  const after = await leaver.request.get(`/api/workspaces/${WS}/members`);
  expect(after.status()).toBe(401);
  const signIn = await leaver.request.post("/api/auth/sign-in", {
    data: { email: LEAVER.email, password: LEAVER.password },
  });
  expect(signIn.status()).toBe(401);
});
