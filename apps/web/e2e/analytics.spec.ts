import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { importPartLabels, joinWorkspace, processedParts, query, signInAdmin, uploadCorpusPart } from "./helpers";

// Analytics (issue 19, item 2): an annotator works a part in the workbench (the active time it
// measures is recorded), submits it, an engineer approves it, and the admin reads the charts and
// their numbers, filters by dataset and downloads the CSV.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const IVY = { email: "ivy@example.test", password: "annotator ivy pw" };
const JON = { email: "jon@example.test", password: "engineer jon pw" };
const PART = "0-0-0-0-0-23.step";
const OTHER_PART = "0-1-2-3-19.step";

let admin: Page;
let ivy: Page;
let jon: Page;
let slug: string;
let brackets: string;
let other: string;
let partId: string;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  const made = await admin.request.post("/api/workspaces", { data: { name: "Analytics Lab" } });
  expect(made.status()).toBe(201);
  slug = (await made.json()).workspace.slug;
  const dataset = async (name: string) => {
    const res = await admin.request.post(`/api/workspaces/${slug}/datasets`, { data: { name } });
    const id: string = (await res.json()).dataset.id;
    const off = await admin.request.patch(`/api/workspaces/${slug}/datasets/${id}`, { data: { prelabel: false } });
    expect(off.status()).toBe(200);
    return id;
  };
  brackets = await dataset("Brackets");
  other = await dataset("Other");
  await uploadCorpusPart(admin, slug, brackets, `mfcad/${PART}`);
  await uploadCorpusPart(admin, slug, other, `mfcad/${OTHER_PART}`);
  partId = (await processedParts(brackets, 1))[PART] as string;
  await processedParts(other, 1);
  // the part's labels come complete (as from an import): the annotator checks them and submits
  await importPartLabels(admin, slug, partId, "stock", [{ feature: "blind_hole", faces: 2 }]);
  ivy = await joinWorkspace(browser, admin, slug, IVY, "annotator");
  jon = await joinWorkspace(browser, admin, slug, JON, "engineer");
});

const activeMs = async () =>
  Number(
    (
      await query<{ ms: string | null }>(
        "select sum(w.active_ms) as ms from work_time w join auth.users u on u.id = w.user_id where w.part_id = $1 and u.email = $2",
        [partId, IVY.email],
      )
    )[0]?.ms ?? 0,
  );

test("the workbench records the annotator's active time, never more than the wall time", async () => {
  const started = Date.now();
  await ivy.goto(`/w/${slug}/queue`);
  await expect(ivy.locator("body[data-shortcuts=ready]")).toHaveCount(1);
  await ivy.keyboard.press("n");
  await expect(ivy).toHaveURL(new RegExp(`/parts/${partId}/label$`));
  await expect(ivy.getByTestId("unlabelled-count")).toHaveText("0", { timeout: 60_000 });
  // work for a while: look around the part, press keys
  const canvas = ivy.locator("canvas").first();
  const box = await canvas.boundingBox();
  for (let i = 0; i < 8; i++) {
    if (box) await ivy.mouse.move(box.x + box.width / 2 + i * 5, box.y + box.height / 2);
    await ivy.keyboard.press("Escape");
    await ivy.waitForTimeout(1000);
  }
  await ivy.getByRole("button", { name: "Submit for review" }).click();
  await expect(ivy).toHaveURL(new RegExp(`/w/${slug}/queue\\?submitted=`));
  // the last report goes when the workbench is left; allow it to arrive
  await expect.poll(activeMs, { timeout: 10_000 }).toBeGreaterThanOrEqual(5_000);
  const wall = Date.now() - started;
  const recorded = await activeMs();
  expect(recorded).toBeGreaterThan(0);
  expect(recorded).toBeLessThanOrEqual(wall);
  console.log(`active time recorded ${recorded} ms over ${wall} ms of wall time`);
  // a forged report of an hour is refused
  const forged = await ivy.request.post(`/api/workspaces/${slug}/parts/${partId}/active-time`, {
    data: { session: crypto.randomUUID(), activeMs: 3_600_000 },
  });
  expect(forged.status()).toBe(400);
  expect((await forged.json()).error.code).toBe("VALIDATION_FAILED");
});

test("an engineer approves the part", async () => {
  const res = await jon.request.post(`/api/workspaces/${slug}/parts/${partId}/review`, {
    data: { decision: "approved", revisionNo: 1 },
  });
  expect(res.status(), await res.text()).toBe(200);
});

test("the admin reads the charts and their numbers, filters by dataset and downloads the CSV", async () => {
  await admin.goto(`/w/${slug}/admin`);
  await admin.getByRole("link", { name: "Analytics" }).click();
  await expect(admin).toHaveURL(`/w/${slug}/admin/analytics`);
  await expect(admin.getByRole("heading", { name: "Analytics" })).toBeVisible();
  // charts are SVG drawn in the page
  for (const chart of ["status", "submissions", "active-time", "reviews-annotator", "classes", "queues"]) {
    await expect(admin.locator(`[data-testid=chart-${chart}] svg`).first()).toBeVisible();
  }
  await expect(admin.locator("[data-testid=chart-status] svg .recharts-line")).not.toHaveCount(0);
  // the numbers beside them
  const throughput = admin.getByTestId("table-throughput");
  await expect(throughput).toContainText(IVY.email);
  const row = throughput.locator("tbody tr").filter({ hasText: IVY.email });
  await expect(row.locator("td").nth(1)).toHaveText("1"); // submitted
  await expect(row.locator("td").nth(3)).toHaveText("1"); // timed parts
  await expect(row.locator("td").nth(4)).toHaveText(/^\d+(\.\d)? s$/); // median active s/part
  const decisions = admin.getByTestId("table-reviews-annotator").locator("tbody tr").filter({ hasText: IVY.email });
  await expect(decisions).toContainText("100%");
  await expect(admin.getByTestId("table-classes")).toContainText("blind_hole");
  await expect(admin.getByTestId("table-queues")).toContainText("annotation");
  const today = new Date().toISOString().slice(0, 10);
  const statusToday = admin.getByTestId("table-status").locator("tbody tr").filter({ hasText: today });
  await expect(statusToday).toHaveCount(1);

  // the CSV: the same figures, one a row
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByTestId("analytics-csv").click()]);
  const csv = await readFile((await download.path()) as string, "utf8");
  const lines = csv.split("\r\n");
  expect(lines[0]).toBe("section,day,subject,measure,value");
  expect(lines).toContain(`throughput,,${IVY.email},submitted,1`);
  expect(lines).toContain(`reviews_by_annotator,,${IVY.email},approval_rate,1`);
  expect(lines).toContain(`status_by_day,${today},approved,parts,1`);
  expect(lines.some((l) => /^throughput,,ivy@example\.test,median_active_s_per_part,\d/.test(l))).toBe(true);

  // one dataset: the other one has nothing submitted, one part waiting
  await admin.getByLabel("Dataset").selectOption({ label: "Other" });
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin).toHaveURL(new RegExp(`dataset=${other}`));
  await expect(admin.getByTestId("analytics-throughput")).toContainText("Nothing was submitted in this period.");
  await expect(admin.getByTestId("table-status").locator("tbody tr").filter({ hasText: today })).toContainText("1");
  await expect(admin.getByTestId("table-queues").locator("tbody tr").first()).toContainText("annotation1");
  const filtered = await admin.request.get(`/api/workspaces/${slug}/analytics?dataset=${other}&format=csv`);
  expect(filtered.status()).toBe(200);
  expect(await filtered.text()).not.toContain(IVY.email);
  // a bad filter is refused, as JSON
  const bad = await admin.request.get(`/api/workspaces/${slug}/analytics?from=2026-13-01`);
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe("VALIDATION_FAILED");
  // the annotator may not read it
  const refused = await ivy.request.get(`/api/workspaces/${slug}/analytics`);
  expect(refused.status()).toBe(403);
});
