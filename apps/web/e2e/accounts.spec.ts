import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { ADMIN, database, WORKSPACE } from "./helpers";

// One story, in order: a team adopts Facet on a fresh installation.
test.describe.configure({ mode: "serial" });

const MEMBER = { email: "bo@example.test", password: "member password 1" };
let admin: Page;
let memberContext: BrowserContext;
let member: Page;
let inviteLink = "";

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  memberContext = await browser.newContext();
  member = await memberContext.newPage();
});

test("a fresh installation asks for the first admin, who lands in their new workspace", async () => {
  await admin.goto("/");
  await expect(admin).toHaveURL(/\/setup$/);
  await expect(admin.getByRole("heading", { name: "Create the first admin" })).toBeVisible();
  await admin.getByLabel("Email").fill(ADMIN.email);
  await admin.getByLabel("Password").fill(ADMIN.password);
  await admin.getByLabel("Workspace name").fill(WORKSPACE.name);
  await admin.getByRole("button", { name: "Create admin and workspace" }).click();
  await expect(admin).toHaveURL(`/w/${WORKSPACE.slug}`);
  await expect(admin.getByRole("heading", { name: WORKSPACE.name })).toBeVisible();
  const nav = admin.getByRole("navigation");
  for (const item of ["Overview", "My queue", "Review", "Catalog", "Admin"]) {
    await expect(nav.getByRole("link", { name: new RegExp(item) })).toBeVisible();
  }
  // set-up is a one-time thing
  await admin.goto("/setup");
  await expect(admin).toHaveURL(/\/sign-in$|\/w\//);
  const again = await admin.request.post("/api/setup", {
    data: { email: "late@example.test", password: "long enough pw", workspaceName: "Late" },
  });
  expect(again.status()).toBe(409);
  expect((await again.json()).error.code).toBe("ALREADY_SET_UP");
});

test("the session is an HttpOnly cookie holding a Supabase-shaped JWT", async () => {
  const cookie = (await admin.context().cookies()).find((c) => c.name === "facet-session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  const claims = JSON.parse(Buffer.from((cookie?.value ?? "").split(".")[1] ?? "", "base64url").toString());
  expect(claims).toMatchObject({ role: "authenticated", email: ADMIN.email, aud: "authenticated" });
  expect(typeof claims.sub).toBe("string");
  expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
});

test("signs out, is refused with a wrong password, signs back in", async () => {
  await admin.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(admin).toHaveURL(/\/sign-in$/);
  await admin.goto(`/w/${WORKSPACE.slug}`);
  await expect(admin).toHaveURL(/\/sign-in\?next=/);
  await admin.getByLabel("Email").fill(ADMIN.email);
  await admin.getByLabel("Password").fill("not the password");
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "wrong email or password" })).toBeVisible();
  await admin.getByLabel("Password").fill(ADMIN.password);
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin).toHaveURL(`/w/${WORKSPACE.slug}`);
});

test("an admin creates an invitation link; a new person joins with that role", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await admin.getByLabel("Role for the invitation").selectOption("annotator");
  await admin.getByRole("button", { name: "Create invitation link" }).click();
  inviteLink = await admin.getByLabel("Invitation link").inputValue();
  expect(inviteLink).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);

  await member.goto(inviteLink);
  await expect(member.getByRole("heading", { name: `Join ${WORKSPACE.name}` })).toBeVisible();
  await expect(member.getByText("Annotator")).toBeVisible();
  await member.getByLabel("Email").fill(MEMBER.email);
  await member.getByLabel("Password").fill(MEMBER.password);
  await member.getByRole("button", { name: "Join workspace" }).click();
  await expect(member).toHaveURL(`/w/${WORKSPACE.slug}`);
  await expect(member.getByTestId("viewer-email")).toHaveText(MEMBER.email);
  const nav = member.getByRole("navigation");
  await expect(nav.getByRole("link", { name: /My queue/ })).toBeVisible();
  await expect(nav.getByRole("link", { name: /Admin/ })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: /Review/ })).toHaveCount(0);
  await member.goto(`/w/${WORKSPACE.slug}/admin`);
  await expect(member.getByRole("heading", { name: "Not available to your role" })).toBeVisible();
  // and the API says the same, with a reason
  const res = await member.request.get(`/api/workspaces/${WORKSPACE.slug}/invitations`);
  expect(res.status()).toBe(403);
  expect((await res.json()).error.code).toBe("ROLE_REQUIRED");
});

test("a used invitation link is refused", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(inviteLink);
  await expect(page.getByRole("heading", { name: "This invitation is already used" })).toBeVisible();
});

test("the annotator claims the next part from the queue with N and releases it", async () => {
  const db = database();
  await db.connect();
  try {
    await db.query(
      `with b as (insert into blobs (sha256, size, storage_key)
                  values (repeat('ab', 32), 10, 'blobs/sha256/ab/ab/' || repeat('ab', 32)) returning sha256),
            d as (insert into datasets (workspace_id, name) select id, 'e2e' from workspaces where slug = $1 returning id, workspace_id)
       insert into parts (workspace_id, dataset_id, blob_sha256, name, status)
       select d.workspace_id, d.id, b.sha256, 'bracket.step', 'pre_labeled' from b, d`,
      [WORKSPACE.slug],
    );
  } finally {
    await db.end();
  }
  await member.goto(`/w/${WORKSPACE.slug}/queue`);
  await expect(member.getByTestId("queue-waiting")).toContainText("1 part(s) waiting");
  await expect(member.locator("body[data-shortcuts=ready]")).toHaveCount(1); // hydrated: keys are listened to
  await member.keyboard.press("n");
  // claiming opens the workbench; this part has no mesh yet, and the page says so
  await expect(member).toHaveURL(/\/parts\/[0-9a-f-]{36}\/label$/);
  await expect(member.getByRole("status")).toContainText("cannot be labelled yet");
  await member.goto(`/w/${WORKSPACE.slug}/queue`);
  await expect(member.getByTestId("held-part")).toContainText("bracket.step");
  await member.getByRole("button", { name: "Claim another part" }).click();
  await expect(member.getByRole("status")).toHaveText("no part is waiting to be labelled");
  await member.getByRole("button", { name: "Release" }).click();
  await expect(member.getByTestId("held-part")).toHaveCount(0);
  await expect(member.getByTestId("queue-waiting")).toContainText("1 part(s) waiting");
});

test("an admin changes the member's role and the member's navigation follows", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await admin.getByLabel(`Role of ${MEMBER.email}`).selectOption("engineer");
  await expect(admin.getByLabel(`Role of ${MEMBER.email}`)).toHaveValue("engineer");
  await member.goto(`/w/${WORKSPACE.slug}`);
  await expect(member.getByRole("navigation").getByRole("link", { name: /Review/ })).toBeVisible();
  await expect(member.getByText(`Engineer in ${WORKSPACE.name}`)).toBeVisible();
});

test("the last admin cannot demote themselves", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await admin.getByLabel(`Role of ${ADMIN.email}`).selectOption("viewer");
  await expect(admin.getByRole("alert").filter({ hasText: "at least one admin" })).toBeVisible();
  await admin.reload();
  await expect(admin.getByLabel(`Role of ${ADMIN.email}`)).toHaveValue("admin");
});

test("keyboard: g then a key moves between sections; ? lists the shortcuts", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}`);
  await expect(admin.locator("body[data-shortcuts=ready]")).toHaveCount(1);
  await admin.keyboard.press("g");
  await admin.keyboard.press("c");
  await expect(admin).toHaveURL(`/w/${WORKSPACE.slug}/catalog`);
  await admin.keyboard.press("?");
  await expect(admin.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await admin.keyboard.press("Escape");
  await expect(admin.getByRole("dialog")).toHaveCount(0);
});

test("the workspace switcher moves between the workspaces a person belongs to", async () => {
  const res = await admin.request.post("/api/workspaces", { data: { name: "Second Shop" } });
  expect(res.status()).toBe(201);
  await admin.goto(`/w/${WORKSPACE.slug}`);
  await admin.getByLabel("Workspace", { exact: true }).selectOption({ label: "Second Shop" });
  await expect(admin).toHaveURL("/w/second-shop");
  await expect(admin.getByRole("heading", { name: "Second Shop" })).toBeVisible();
});

test("an admin removes the member: their session ends at once; they come back through a new invitation", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await admin.getByRole("button", { name: `Remove ${MEMBER.email}` }).click();
  // asked in the page first: Escape keeps the member, the dialog's Remove removes
  const ask = admin.getByRole("dialog", { name: `Remove ${MEMBER.email} from this workspace?` });
  await expect(ask).toBeVisible();
  await admin.keyboard.press("Escape");
  await expect(ask).toHaveCount(0);
  await expect(admin.getByTestId("members")).toContainText(MEMBER.email);
  await admin.getByRole("button", { name: `Remove ${MEMBER.email}` }).click();
  await ask.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(admin.getByTestId("members")).not.toContainText(MEMBER.email);

  // it was their only workspace: their session ended with the membership
  await member.goto(`/w/${WORKSPACE.slug}`);
  await expect(member).toHaveURL(/\/sign-in\?next=/);
  const api = await member.request.get(`/api/workspaces/${WORKSPACE.slug}/members`);
  expect(api.status()).toBe(401);

  // they can still sign in (their account is theirs), to a page that says they have no workspace
  await member.getByLabel("Email").fill(MEMBER.email);
  await member.getByLabel("Password").fill(MEMBER.password);
  await member.getByRole("button", { name: "Sign in" }).click();
  await expect(member.getByRole("alert").filter({ hasText: "not a member of any workspace" })).toBeVisible();

  // a new invitation brings them back: signed in, they accept it
  const res = await admin.request.post(`/api/workspaces/${WORKSPACE.slug}/invitations`, { data: { role: "viewer" } });
  const { url } = await res.json();
  await member.goto(new URL(url).pathname);
  await expect(member.getByText(`Signed in as ${MEMBER.email}`)).toBeVisible();
  await member.getByRole("button", { name: "Accept invitation" }).click();
  await expect(member).toHaveURL(`/w/${WORKSPACE.slug}`);
  await expect(member.getByTestId("viewer-email")).toHaveText(MEMBER.email);
});

test("the audit log shows who did what", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin/audit`);
  const log = admin.getByTestId("audit");
  // each row a sentence a person reads (the raw record stays folded away)
  const said: Array<[string, RegExp]> = [
    ["workspace.created", /created the workspace/],
    ["invitation.created", /created an invitation link for|invited /],
    ["member.created", /joined the workspace as|added .+ as /],
    ["member.updated", /made .+ \(was /],
    ["member.deleted", /removed .+ from the workspace|left the workspace/],
    ["part.claimed", /claimed /],
  ];
  for (const [action, sentence] of said) {
    const row = log.locator(`tr[data-action="${action}"]`).first();
    await expect(row, action).toContainText(sentence, { useInnerText: true });
    await expect(row, action).not.toContainText(action, { useInnerText: true });
  }
});

test("an admin filters the audit log, pages through it and downloads what the filter shows as CSV", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin/audit`);
  await admin.getByLabel("Action").fill("member.");
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin).toHaveURL(/[?&]action=member\.(&|$)/);
  const rows = admin.getByTestId("audit").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")));
  expect(actions.length).toBeGreaterThan(0);
  for (const a of actions) expect(a).toMatch(/^member\./);

  // the download holds what the filter shows, as a spreadsheet reads it
  const href = (await admin.getByTestId("audit-csv").getAttribute("href")) as string;
  expect(href).toContain("action=member.");
  const res = await admin.request.get(href);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/csv");
  expect(res.headers()["content-disposition"]).toContain("attachment");
  const lines = (await res.text()).trimEnd().split("\r\n");
  expect(lines[0]).toBe(
    "id,created_at,actor_email,actor_kind,action,target_table,target_id,target_name,part_name,data",
  );
  expect(lines.length - 1).toBe(actions.length);
  for (const line of lines.slice(1)) expect(line.split(",")[4]).toMatch(/^member\./);

  // one day that holds nothing: said, not an error; a filter the log cannot read: said, in words
  await admin.goto(`/w/${WORKSPACE.slug}/admin/audit?period=2001-01-01`);
  await expect(admin.getByTestId("audit-empty")).toBeVisible();
  await admin.goto(`/w/${WORKSPACE.slug}/admin/audit?action=DROP%20TABLE`);
  await expect(admin.getByTestId("audit-problem")).toContainText("audit filter: action");
});

test("an admin makes an API key in the browser, sees it once, sees its last use, and revokes it", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await admin.getByRole("link", { name: "API keys" }).click();
  await expect(admin).toHaveURL(`/w/${WORKSPACE.slug}/admin/api-keys`);
  await admin.getByLabel("Key name").fill("nightly export");
  await admin.getByRole("checkbox", { name: /curate/ }).check();
  await admin.getByRole("button", { name: "Make key" }).click();
  const key = await admin.getByTestId("made-key-value").inputValue();
  expect(key).toMatch(/^fct_[A-Za-z0-9_-]{8}_/);
  const row = admin.getByTestId("api-keys").locator(`tr[data-key="${key.slice(4, 12)}"]`);
  await expect(row).toContainText("nightly export");
  await expect(row).toContainText("read, curate");
  await expect(row).toContainText(ADMIN.email);
  await expect(row.getByTestId("last-used")).toHaveText("never");

  // the key works (no cookie: the key alone), and its use shows
  const origin = new URL(admin.url()).origin;
  const withKey = () =>
    fetch(`${origin}/api/workspaces/${WORKSPACE.slug}/catalog`, { headers: { authorization: `Bearer ${key}` } });
  expect((await withKey()).status).toBe(200);
  await admin.reload();
  await expect(row.getByTestId("last-used")).not.toHaveText("never");
  // shown once: after a reload only its prefix is there
  await expect(admin.getByTestId("made-key")).toHaveCount(0);

  await row.getByRole("button", { name: "Revoke" }).click();
  await admin.getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toHaveAttribute("data-state", "revoked");
  expect((await withKey()).status).toBe(401);
});
