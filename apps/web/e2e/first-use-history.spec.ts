import { DEFAULT_TAXONOMY } from "@facet/core";
import { expect, type Page, test } from "@playwright/test";
import { joinWorkspace, query, signInAdmin, uploadNistPart } from "./helpers";

// What a first use found (issue 17, items 9 and 10): a part's history and the audit log read as
// sentences a person would say. A real part goes upload → processing and pre-labels → claim →
// autosaves → submit → reject with notes → fix → resubmit → approve, through the platform's API as
// the people involved; then its page and the workspace's audit log are read in the browser.
test.describe.configure({ mode: "serial" });
test.setTimeout(300_000);

const LAB = { name: "History Lab", slug: "history-lab" };
const HANA = { email: "hana@example.test", password: "annotator hana pw" };
const IVO = { email: "ivo@example.test", password: "engineer ivo pw" };
const PART = "nist_ftc_11_asme1_rb.stp";
const DATASET = "Brackets";

let admin: Page;
let hana: Page;
let ivo: Page;
let partId: string;

const [FIRST, SECOND] = DEFAULT_TAXONOMY.featureTypes.map((f) => f.key);

/** Save a revision of the part as `who` (what the workbench's autosave sends). */
async function save(who: Page, labels: (faceCount: number) => string[]): Promise<number> {
  const latest = await who.request.get(`/api/workspaces/${LAB.slug}/parts/${partId}/revisions`);
  expect(latest.status()).toBe(200);
  const { revision } = await latest.json();
  const { faceSignature, faceCount } = revision.document;
  const res = await who.request.post(`/api/workspaces/${LAB.slug}/parts/${partId}/revisions`, {
    data: {
      document: { schemaVersion: 1, faceSignature, faceCount, labels: labels(faceCount), instances: [] },
      expectedRevision: revision.revisionNo,
      // the annotator looked at every face and confirms what she kept of the pre-labels
      faceChecks: Array(faceCount).fill("confirmed"),
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).revision.revisionNo;
}

async function submit(who: Page, revisionNo: number): Promise<void> {
  const res = await who.request.post(`/api/workspaces/${LAB.slug}/parts/${partId}/submit`, { data: { revisionNo } });
  expect(res.status(), await res.text()).toBe(200);
}

async function review(who: Page, data: Record<string, unknown>): Promise<void> {
  const res = await who.request.post(`/api/workspaces/${LAB.slug}/parts/${partId}/review`, { data });
  expect(res.status(), await res.text()).toBe(200);
}

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await signInAdmin(admin);
  expect((await admin.request.post("/api/workspaces", { data: { name: LAB.name } })).status()).toBe(201);
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: DATASET } });
  const { dataset } = await ds.json();
  // pre-labels on (the default): processing ends with the built-in rules' labels
  await uploadNistPart(admin, LAB.slug, dataset.id, PART);
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="pre_labeled"] .n')).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 180_000 });
  const [row] = await query<{ id: string }>(
    "select p.id from parts p join workspaces w on w.id = p.workspace_id where w.slug = $1 and p.name = $2",
    [LAB.slug, PART],
  );
  partId = (row as { id: string }).id;
  hana = await joinWorkspace(browser, admin, LAB.slug, HANA, "annotator");
  ivo = await joinWorkspace(browser, admin, LAB.slug, IVO, "engineer");

  // claim, two autosaves, submit
  const claim = await hana.request.post(`/api/workspaces/${LAB.slug}/queue/claim`, { data: {} });
  expect(claim.status(), await claim.text()).toBe(200);
  expect((await claim.json()).part.id).toBe(partId);
  await save(hana, (n) => Array(n).fill(FIRST));
  const submitted = await save(hana, (n) => Array.from({ length: n }, (_, f) => (f === 1 ? SECOND : FIRST)));
  await submit(hana, submitted);
  // rejected with a summary (the part's review notes) and a note on a face
  await review(ivo, {
    decision: "rejected",
    revisionNo: submitted,
    summary: "Face 1 is labelled wrong.",
    notes: [{ body: "This face is stock.", faceIndex: 1 }],
  });
  // fixed and resubmitted, then approved (which clears the review notes)
  const fixed = await save(hana, (n) => Array(n).fill(FIRST));
  await submit(hana, fixed);
  await review(ivo, { decision: "approved", revisionNo: fixed });
});

/** Column names of `parts` that bookkeeping changes, as written and as the old timeline spelled them. */
const COLUMNS = [
  "returned_at",
  "reviewer_id",
  "status_changed_at",
  "claimed_at",
  "claimed_from",
  "claimed_by",
  "lease_expires_at",
  "annotator_id",
  "review_notes",
  "queue_priority",
];

test("a part's history reads as sentences: no column names, processing and pre-labels told once", async () => {
  await ivo.goto(`/w/${LAB.slug}/parts/${partId}`);
  const history = ivo.getByTestId("history");
  await expect(history).toContainText(/approved revision/i);
  const lines = (await history.locator("li .history-text").allInnerTexts()).map((l) => l.trim());
  test.info().annotations.push({ type: "history", description: lines.join("\n") });
  const text = lines.join("\n");
  // the part's own name has underscores; nothing else may
  const withoutName = text.split(PART).join("the file");
  expect(withoutName, "a snake_case name in the history").not.toMatch(/\b[a-z]+(?:_[a-z]+)+\b/);
  for (const c of COLUMNS) {
    expect(text.toLowerCase(), `the column ${c} in the history`).not.toContain(c.replace(/_/g, " "));
  }
  expect(text, "a database diff in the history").not.toMatch(/changed [a-z]+ (?:at|id)\b/i);
  expect(text, "a database diff in the history").not.toMatch(/changed status\b/i);

  // the worker's chain (processing started, finished, the model's revision, pre-labelled) is one line
  const processing = lines.filter((l) => /process/i.test(l));
  expect(processing, text).toHaveLength(1);
  expect(processing[0]).toMatch(/pre-label/i);
  expect(
    lines.filter((l) => /pre-label/i.test(l)),
    text,
  ).toHaveLength(1);

  // and the story is there, each act once
  expect(lines.filter((l) => /claimed/.test(l))).toHaveLength(1);
  expect(lines.filter((l) => /submitted revision/.test(l))).toHaveLength(2);
  expect(lines.filter((l) => /rejected revision \d+: Face 1 is labelled wrong\./.test(l))).toHaveLength(1);
  expect(lines.filter((l) => /approved revision/.test(l))).toHaveLength(1);
  expect(
    lines.some((l) => l.includes(HANA.email) && /saved revisions \d+–\d+/.test(l)),
    text,
  ).toBe(true);
});

test("the audit log: a sentence per event, the raw data on demand, never wider than the page", async () => {
  await admin.setViewportSize({ width: 1280, height: 800 });
  await admin.goto(`/w/${LAB.slug}/admin/audit`);
  const table = admin.getByTestId("audit");
  await expect(table).toBeVisible();
  const rows = table.locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(10);

  // what is shown, closed disclosures excluded: innerText is the rendered text, what a person sees
  // biome-ignore lint/performance/useDomNodeTextContent: textContent would include the closed disclosures
  const shown = await table.evaluate((el) => (el as HTMLElement).innerText);
  test.info().annotations.push({ type: "audit log", description: shown });
  expect(shown, "raw JSON shown before asking for it").not.toContain('{"');
  const actions = await query<{ action: string }>(
    "select distinct e.action from audit_events e join workspaces w on w.id = e.workspace_id where w.slug = $1",
    [LAB.slug],
  );
  expect(actions.length).toBeGreaterThan(5);
  for (const { action } of actions) expect(shown, `the action code ${action} shown`).not.toContain(action);

  // who did what to what, in words
  const sentence = (re: RegExp) => rows.filter({ hasText: re });
  await expect(sentence(new RegExp(`${HANA.email} joined the workspace as an annotator`))).toHaveCount(1);
  await expect(sentence(new RegExp(`${IVO.email} joined the workspace as an engineer`))).toHaveCount(1);
  await expect(sentence(/created an invitation link for an engineer/)).toHaveCount(1);
  await expect(sentence(new RegExp(`uploaded ${PART.replace(/\./g, "\\.")} to ${DATASET}`))).toHaveCount(1);
  await expect(
    sentence(new RegExp(`${IVO.email} approved revision \\d+ of ${PART.replace(/\./g, "\\.")}`)),
  ).toHaveCount(1);
  await expect(sentence(new RegExp(`created the dataset ${DATASET}`))).toHaveCount(1);

  // the raw data of a row, on demand
  const approved = sentence(/approved revision/).first();
  await approved.getByText("Raw data").click();
  await expect(approved.locator("pre")).toBeVisible();
  await expect(approved.locator("pre")).toContainText('"decision": "approved"');

  // no wider than the page, even with every disclosure open (hashes are long unbroken words)
  const widths = async () =>
    admin.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      table: (document.querySelector("[data-testid=audit]") as HTMLElement).getBoundingClientRect().right,
      viewport: window.innerWidth,
    }));
  let w = await widths();
  expect(w.page, JSON.stringify(w)).toBeLessThanOrEqual(w.viewport);
  expect(w.table, JSON.stringify(w)).toBeLessThanOrEqual(w.viewport);
  await admin.evaluate(() => {
    for (const d of document.querySelectorAll("[data-testid=audit] details")) (d as HTMLDetailsElement).open = true;
  });
  w = await widths();
  expect(w.page, JSON.stringify(w)).toBeLessThanOrEqual(w.viewport);
  expect(w.table, JSON.stringify(w)).toBeLessThanOrEqual(w.viewport);
});
