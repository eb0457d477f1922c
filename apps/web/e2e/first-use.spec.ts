import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import {
  dropPaths,
  featureName,
  joinWorkspace,
  query,
  signInAdmin,
  uploadCorpusPart,
  uploadNistPart,
  WORKSPACE,
} from "./helpers";

// What a new user meets in the first ten minutes (issue 17), each written to fail on the main before it.

/**
 * The WCAG contrast ratio of every visible key badge against what is behind it (the first ancestor
 * with an opaque background), lowest first.
 */
async function keyBadgeContrasts(page: Page): Promise<Array<{ text: string; ratio: number }>> {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
    };
    const backdrop = (el: Element | null): string => {
      for (let e = el; e; e = e.parentElement) {
        const bg = getComputedStyle(e).backgroundColor;
        const alpha = rgb(bg)[3];
        if (bg !== "transparent" && (alpha === undefined || alpha > 0.5)) return bg;
      }
      return "rgb(255, 255, 255)";
    };
    return [...document.querySelectorAll("kbd")]
      .filter((k) => (k as HTMLElement).offsetParent !== null)
      .map((k) => {
        const fg = luminance(rgb(getComputedStyle(k).color));
        const bg = luminance(rgb(backdrop(k)));
        return {
          text: k.closest("button")?.textContent ?? k.textContent ?? "",
          ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
        };
      })
      .sort((a, b) => a.ratio - b.ratio);
  });
}

test("key badges are readable on filled buttons (Claim next part [N])", async ({ page }) => {
  await signInAdmin(page);
  await page.goto(`/w/${WORKSPACE.slug}/queue`);
  const claim = page.getByRole("button", { name: /Claim next part/ });
  await expect(claim).toBeVisible();
  const badges = await keyBadgeContrasts(page);
  expect(badges.some((b) => b.text.includes("Claim next part"))).toBe(true);
  // 4.5:1 is WCAG AA for text; the badge was white on the white accent text colour (1:1)
  expect(badges[0]?.ratio ?? 0, JSON.stringify(badges[0])).toBeGreaterThanOrEqual(4.5);
});

test("a duplicate dataset name says what exists and what to do, with no database names", async ({ page }) => {
  await signInAdmin(page);
  await page.goto(`/w/${WORKSPACE.slug}/catalog`);
  const name = `Brackets ${Date.now()}`;
  for (let i = 0; i < 2; i++) {
    await page.getByLabel("New dataset name").fill(name);
    await page.getByRole("button", { name: "Create dataset" }).click();
    if (i === 0) await expect(page.getByRole("link", { name })).toBeVisible();
  }
  const alert = page.locator("form").getByRole("alert");
  await expect(alert).toHaveText("a dataset with this name already exists in this workspace: choose another name");
  await expect(alert).not.toContainText("_key");
});

/** The number a status counter of the page shows. */
const counter = (page: Page, status: string) =>
  page
    .locator(`[data-testid=status-counts] [data-status="${status}"] .n`)
    .textContent()
    .then((t) => Number(t));

test("the dataset page follows its parts live: processed and failed parts show without a reload", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAdmin(page);
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Live ${Date.now()}` },
  });
  const { dataset } = await created.json();
  // a part that processes, dropped on the page itself
  await uploadNistPart(page, WORKSPACE.slug, dataset.id, "nist_ctc_01_asme1_rd.stp");
  await page.evaluate(() => {
    (window as unknown as { __notReloaded: boolean }).__notReloaded = true;
  });
  await expect
    .poll(async () => (await counter(page, "unannotated")) + (await counter(page, "pre_labeled")), { timeout: 120_000 })
    .toBe(1);
  await expect(page.getByTestId("dataset-parts")).not.toContainText("Uploaded");
  // a file that says it is STEP but is not: the worker fails it, and the page says so
  const folder = await mkdtemp(path.join(os.tmpdir(), "facet-e2e-"));
  const broken = path.join(folder, "broken.step");
  await writeFile(broken, "ISO-10303-21;\nHEADER;\nthis is not really a STEP file\nEND-ISO-10303-21;\n");
  await dropPaths(page, "[data-testid=dropzone]", [broken]);
  // the page's uploader counts both drops
  await expect(page.getByTestId("upload-summary")).toContainText("2/2 done · 2 new");
  await expect.poll(() => counter(page, "failed"), { timeout: 120_000 }).toBe(1);
  // all of it on the page as it was loaded: no reload happened
  expect(await page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(true);
});

test("the navigation marks where a page belongs, and the site has an icon", async ({ page }) => {
  await signInAdmin(page);
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Nav ${Date.now()}` },
  });
  const { dataset } = await created.json();
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  // a dataset page is the catalog's, not the overview's
  await expect(page.locator("nav.nav a[aria-current=page]")).toHaveCount(1);
  await expect(page.locator("nav.nav a[aria-current=page]")).toContainText("Catalog");
  await page.goto(`/w/${WORKSPACE.slug}`);
  await expect(page.locator("nav.nav a[aria-current=page]")).toContainText("Overview");
  // an icon the browser finds, instead of a 404 for /favicon.ico on every first load
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await page.request.get(href as string);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/");
});

test("? lists the keys of the page you are on; while open, keys do not reach the page and Esc closes it", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAdmin(page);
  // the queue: N claims, listed; pressed while the list is open, it claims nothing
  await page.goto(`/w/${WORKSPACE.slug}/queue`);
  await expect(page.locator("body[data-shortcuts=ready]")).toHaveCount(1);
  await page.keyboard.press("?");
  const list = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(list.getByTestId("keys-Queue")).toContainText("claim the next one");
  let claims = 0;
  page.on("request", (r) => {
    if (r.url().endsWith("/queue/claim")) claims++;
  });
  await page.keyboard.press("n");
  await page.keyboard.press("Escape");
  await expect(list).toHaveCount(0);
  expect(claims).toBe(0);

  // a part's workbench: the viewer's keys and the labelling keys are listed too
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Keys ${Date.now()}` },
  });
  const { dataset } = await created.json();
  await uploadNistPart(page, WORKSPACE.slug, dataset.id, "nist_ctc_01_asme1_rd.stp");
  const row = page.getByTestId("dataset-parts").getByRole("link", { name: "nist_ctc_01_asme1_rd.stp" });
  await expect(row).toBeVisible();
  await expect
    .poll(async () => (await counter(page, "unannotated")) + (await counter(page, "pre_labeled")), { timeout: 120_000 })
    .toBe(1);
  const href = (await row.getAttribute("href")) as string;
  await page.goto(`${href}/label`);
  await expect(page.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });
  await expect(page.locator("body[data-workbench=ready]")).toHaveCount(1);
  await page.keyboard.press("?");
  await expect(list.getByTestId("keys-Viewer")).toContainText("X-ray");
  await expect(list.getByTestId("keys-Labelling")).toContainText("Grow the selection");
  // P would switch to the paint tool: not while the list is open
  const paint = page.getByRole("button", { name: /^Paint/ });
  await expect(paint).toHaveAttribute("aria-pressed", "false");
  await page.keyboard.press("p");
  await page.keyboard.press("Escape");
  await expect(list).toHaveCount(0);
  await expect(paint).toHaveAttribute("aria-pressed", "false");
  await page.keyboard.press("p");
  await expect(paint).toHaveAttribute("aria-pressed", "true");
});

test("a role is written as people write it: an ML engineer, not 'ml engineer'", async ({ browser, page }) => {
  await signInAdmin(page);
  const ml = await joinWorkspace(
    browser,
    page,
    WORKSPACE.slug,
    { email: `ml-${Date.now()}@example.test`, password: "ml engineer password" },
    "ml_engineer",
  );
  await ml.goto(`/w/${WORKSPACE.slug}/queue`);
  await expect(ml.getByText("As an ML engineer you do not have access to the labelling queue.")).toBeVisible();
});

test("a checkbox sits beside its label, and a long unbroken name does not stretch the page", async ({ page }) => {
  await signInAdmin(page);
  const name = `Bracket${"x".repeat(110)}`;
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, { data: { name } });
  const { dataset } = await created.json();
  await page.setViewportSize({ width: 1024, height: 800 });
  for (const url of [`/w/${WORKSPACE.slug}/datasets/${dataset.id}`, `/w/${WORKSPACE.slug}/catalog`]) {
    await page.goto(url);
    await expect(page.getByText(name).first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, url).toBeLessThanOrEqual(0);
  }
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  const box = await page.getByRole("checkbox", { name: "Pre-label new parts" }).boundingBox();
  const text = await page.getByTestId("prelabel-setting").getByText("Pre-label new parts").boundingBox();
  expect(box && text).toBeTruthy();
  // on one line: the box's middle lies within the text's height
  const middle = (box?.y ?? 0) + (box?.height ?? 0) / 2;
  expect(middle).toBeGreaterThan(text?.y ?? 0);
  expect(middle).toBeLessThan((text?.y ?? 0) + (text?.height ?? 0));
});

test("the queue shows what you hold, also after browser Back, and N takes you back to it before claiming more", async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000);
  await signInAdmin(page);
  const lab = { name: `Held ${Date.now()}` };
  const made = await page.request.post("/api/workspaces", { data: lab });
  const slug = (await made.json()).workspace.slug as string;
  const ds = await page.request.post(`/api/workspaces/${slug}/datasets`, { data: { name: "Two parts" } });
  const datasetId = (await ds.json()).dataset.id as string;
  for (const file of ["mfcad/0-0-0-0-0-23.step", "mfcad/0-1-2-3-19.step"]) {
    await uploadCorpusPart(page, slug, datasetId, file);
  }
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[data-status="pre_labeled"] .n')).toHaveText("2", { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  const email = `holder-${Date.now()}@example.test`;
  const ann = await joinWorkspace(browser, page, slug, { email, password: "holder annotator pw" }, "annotator");
  const held = () =>
    query<{ id: string }>(
      "select p.id from parts p join auth.users u on u.id = p.annotator_id where u.email = $1 and p.status = 'in_progress'",
      [email],
    );

  await ann.goto(`/w/${slug}/queue`);
  await expect(ann.getByText("You hold no part.")).toBeVisible();
  await expect(ann.locator("body[data-shortcuts=ready]")).toHaveCount(1);
  await ann.keyboard.press("n");
  await expect(ann).toHaveURL(/\/parts\/[0-9a-f-]{36}\/label$/);
  const first = (ann.url().match(/parts\/([0-9a-f-]{36})\/label/) as RegExpMatchArray)[1] as string;
  await expect(ann.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });

  // Back: the queue as it is now, not as it was before the claim
  await ann.goBack();
  await expect(ann).toHaveURL(`/w/${slug}/queue`);
  await expect(ann.getByTestId("held-part")).toHaveCount(1);
  await expect(ann.getByText("You hold no part.")).toHaveCount(0);
  await expect(ann.getByTestId("holding")).toContainText("You hold a part");

  // N (and the main button) continue the part held; nothing more is claimed
  await expect(ann.getByRole("button", { name: /Continue / })).toBeVisible();
  await ann.keyboard.press("n");
  await expect(ann).toHaveURL(`/w/${slug}/parts/${first}/label`);
  expect((await held()).map((r) => r.id)).toEqual([first]);

  // claiming another is a choice of its own
  await ann.goto(`/w/${slug}/queue`);
  await ann.getByRole("button", { name: "Claim another part" }).click();
  await expect(ann).toHaveURL(/\/parts\/[0-9a-f-]{36}\/label$/);
  expect(ann.url()).not.toContain(first);
  expect(await held()).toHaveLength(2);
});

test("an approved part's page shows its labels in their colours, with a legend", async ({ browser, page }) => {
  test.setTimeout(180_000);
  await signInAdmin(page);
  const ds = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Approved ${Date.now()}` },
  });
  const datasetId = (await ds.json()).dataset.id as string;
  await uploadCorpusPart(page, WORKSPACE.slug, datasetId, "mfcad/0-0-0-0-0-23.step");
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[data-status="pre_labeled"] .n')).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  const [part] = await query<{ id: string }>("select id from parts where dataset_id = $1", [datasetId]);
  const partId = (part as { id: string }).id;
  // an annotator labels it (the models' labels, every face confirmed) and the admin approves it
  const ann = await joinWorkspace(
    browser,
    page,
    WORKSPACE.slug,
    { email: `approved-${Date.now()}@example.test`, password: "approved part annotator" },
    "annotator",
  );
  const api = `/api/workspaces/${WORKSPACE.slug}/parts/${partId}`;
  expect(
    (await ann.request.post(`/api/workspaces/${WORKSPACE.slug}/queue/claim`, { data: { datasetId } })).status(),
  ).toBe(200);
  const { revision } = await (await ann.request.get(`${api}/revisions`)).json();
  const labels = revision.document.labels as string[];
  const saved = await ann.request.post(`${api}/revisions`, {
    data: {
      document: {
        schemaVersion: 1,
        faceSignature: revision.document.faceSignature,
        faceCount: labels.length,
        labels,
        instances: [],
      },
      expectedRevision: revision.revisionNo,
      faceChecks: labels.map(() => "confirmed"),
    },
  });
  expect(saved.status(), await saved.text()).toBe(201);
  const revisionNo = (await saved.json()).revision.revisionNo as number;
  expect((await ann.request.post(`${api}/submit`, { data: { revisionNo } })).status()).toBe(200);
  const approved = await page.request.post(`${api}/review`, { data: { decision: "approved", revisionNo } });
  expect(approved.status(), await approved.text()).toBe(200);

  await page.goto(`/w/${WORKSPACE.slug}/parts/${partId}`);
  await expect(page.getByTestId("labels-of")).toHaveText(new RegExp(`^Approved labels of revision ${revisionNo}`));
  // the legend lists each feature on the part with its number of faces
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const legend = page.getByTestId("labels-legend");
  await expect(legend.locator("li")).toHaveCount(counts.size);
  for (const [key, n] of counts) {
    await expect(legend.locator(`li[data-feature="${key}"] [data-testid=legend-count]`)).toHaveText(String(n));
  }
  // the face under the pointer is named with its label
  const canvas = page.locator(".share-viewer-wrap canvas");
  await expect(canvas).toBeVisible({ timeout: 60_000 });
  await expect(async () => {
    // measured on each try: the canvas settles its size after the legend and the model load
    const box = (await canvas.boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.move(box.x + box.width / 2 + 1, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const text = (await page.getByTestId("labelled-hover").textContent()) ?? "";
    // "face 12 · plane · area … · Chamfer": the face's facts, then its label
    const m = text.match(/^face (\d+) · .* · ([^·]+)$/);
    expect(m, text).not.toBeNull();
    expect(m?.[2]).toBe(featureName(labels[Number(m?.[1])]));
  }).toPass({ timeout: 30_000 });
});

test("files that cannot be parts are listed with the reason, never dropped silently, and not offered a retry", async ({
  page,
}) => {
  await signInAdmin(page);
  const ds = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Picked ${Date.now()}` },
  });
  const datasetId = (await ds.json()).dataset.id as string;
  const folder = await mkdtemp(path.join(os.tmpdir(), "facet-e2e-"));
  await writeFile(path.join(folder, "notes.txt"), "not a part");
  await writeFile(path.join(folder, "empty.step"), "");
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${datasetId}`);
  // picked through "choose files" (the file input), not dropped
  await page
    .getByTestId("dropzone")
    .locator('input[type="file"]')
    .setInputFiles([path.join(folder, "notes.txt"), path.join(folder, "empty.step")]);
  const ignored = page.locator('[data-testid=upload-list] tr[data-state="ignored"]');
  await expect(ignored).toHaveCount(2);
  await expect(ignored.filter({ hasText: "notes.txt" })).toContainText("not a STEP file");
  await expect(ignored.filter({ hasText: "empty.step" })).toContainText("the file is empty");
  await expect(page.getByTestId("upload-summary")).toContainText(
    "not uploaded (not STEP, or empty): notes.txt, empty.step",
  );
  await expect(page.getByTestId("upload-list").getByRole("button", { name: "Retry" })).toHaveCount(0);
});

test("discarding a part asks first, in the page; Cancel keeps it", async ({ page }) => {
  await signInAdmin(page);
  const ds = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Discard ${Date.now()}` },
  });
  const datasetId = (await ds.json()).dataset.id as string;
  await uploadCorpusPart(page, WORKSPACE.slug, datasetId, "mfcad/0-0-0-0-0-23.step");
  const [part] = await query<{ id: string }>("select id from parts where dataset_id = $1", [datasetId]);
  const partId = (part as { id: string }).id;
  await page.goto(`/w/${WORKSPACE.slug}/parts/${partId}`);
  await page.getByRole("button", { name: "Discard", exact: true }).click();
  const ask = page.getByRole("dialog", { name: "Discard this part?" });
  await ask.getByRole("button", { name: "Cancel" }).click();
  await expect(ask).toHaveCount(0);
  expect(await query("select 1 from parts where id = $1", [partId])).toHaveLength(1);
  await page.getByRole("button", { name: "Discard", exact: true }).click();
  await ask.getByRole("button", { name: "Discard", exact: true }).click();
  await expect(page).toHaveURL(`/w/${WORKSPACE.slug}/datasets/${datasetId}`);
  expect(await query("select 1 from parts where id = $1", [partId])).toHaveLength(0);
});
