import { expect, type Page, test } from "@playwright/test";
import { confirmUnsureFaces, joinWorkspace, pixelAt, query, signInAdmin, uploadNistPart } from "./helpers";

// An annotator labels a real NIST part end to end; a second annotator works beside them.
test.describe.configure({ mode: "serial" });
test.setTimeout(180_000);

const LAB = { name: "Workbench Lab", slug: "workbench-lab" };
const CY = { email: "cy@example.test", password: "annotator one pw" };
const DEE = { email: "dee@example.test", password: "annotator two pw" };
const NIST = "nist_ctc_01_asme1_rd.stp";
const SMALL = "nist_ftc_11_asme1_rb.stp";

let admin: Page;
let cy: Page;
let dee: Page;

/** What the workbench exposes of its viewer on `window` (see workbench.tsx). */
interface ViewerProbe {
  model(): { faceCount: number; triangleStart: Uint32Array } | null;
  visiblePoint(face: number): { x: number; y: number } | null;
}

function hueDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

/** Two faces of the part that are visible and far enough apart to click: [face, x, y][]. */
async function visibleFaces(page: Page, count: number): Promise<Array<{ face: number; x: number; y: number }>> {
  return page.evaluate((n) => {
    const v = (window as unknown as { __facetViewer?: ViewerProbe }).__facetViewer;
    if (!v) throw new Error("no viewer");
    const model = v.model();
    if (!model) throw new Error("no model");
    // biggest faces first: they are the easiest targets for a person too
    const sizes = Array.from({ length: model.faceCount }, (_, f) => [
      f,
      (model.triangleStart[f + 1] as number) - (model.triangleStart[f] as number),
    ]);
    const found: Array<{ face: number; x: number; y: number }> = [];
    for (const [f] of sizes.sort((a, b) => (b[1] as number) - (a[1] as number))) {
      const p = v.visiblePoint(f as number);
      if (p && found.every((q) => Math.hypot(q.x - p.x, q.y - p.y) > 40)) found.push({ face: f as number, ...p });
      if (found.length === n) break;
    }
    return found;
  }, count);
}

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext()).newPage();
  await signInAdmin(admin);
  const ws = await admin.request.post("/api/workspaces", { data: { name: LAB.name } });
  expect(ws.status()).toBe(201);
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "NIST" } });
  const { dataset } = await ds.json();
  // this spec labels parts from scratch: no pre-labels
  await query("update datasets set prelabel = false where id = $1", [dataset.id]);
  // one after the other, so the queue serves the NIST part first
  await uploadNistPart(admin, LAB.slug, dataset.id, NIST);
  await uploadNistPart(admin, LAB.slug, dataset.id, SMALL);
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="unannotated"] .n')).toHaveText("2", { timeout: 1000 });
  }).toPass({ timeout: 150_000 });
  cy = await joinWorkspace(browser, admin, LAB.slug, CY, "annotator");
  dee = await joinWorkspace(browser, admin, LAB.slug, DEE, "annotator");
});

test("an annotator claims a NIST part, labels faces with hotkeys, undoes, redoes, reloads and submits", async () => {
  await cy.goto(`/w/${LAB.slug}/queue`);
  await expect(cy.getByTestId("queue-waiting")).toContainText("2 part(s) waiting");
  await expect(cy.locator("body[data-shortcuts=ready]")).toHaveCount(1);
  await cy.keyboard.press("n");
  await expect(cy).toHaveURL(/\/parts\/[0-9a-f-]{36}\/label$/);
  const partId = (cy.url().match(/parts\/([0-9a-f-]{36})\/label/) as RegExpMatchArray)[1] as string;
  const [part] = await query<{ name: string; status: string }>("select name, status from parts where id = $1", [
    partId,
  ]);
  expect(part).toEqual({ name: NIST, status: "in_progress" });
  await expect(cy.locator("[data-viewer=ready]")).toHaveAttribute("data-face-count", "139", { timeout: 60_000 });
  await expect(cy.locator("body[data-workbench=ready]")).toHaveCount(1);
  await expect(cy.getByTestId("unlabelled-count")).toHaveText("139");

  const [first, second] = await visibleFaces(cy, 2);
  if (!first || !second) throw new Error("no two visible faces");
  // hover names the face; a click selects it; a hotkey labels it
  await cy.mouse.move(first.x, first.y);
  await expect(cy.getByTestId("hover-info")).toContainText(`face ${first.face} · `);
  await cy.mouse.click(first.x, first.y);
  await expect(cy.getByTestId("selection-panel")).toContainText("1 face(s)");
  await cy.keyboard.press("2"); // Through hole
  await cy.mouse.click(second.x, second.y);
  await cy.keyboard.press("3"); // Blind hole
  const legend = cy.getByTestId("legend");
  await expect(legend.locator("[data-feature=through_hole]")).toContainText("1");
  await expect(legend.locator("[data-feature=blind_hole]")).toContainText("1");
  await expect(cy.getByTestId("unlabelled-count")).toHaveText("137");

  await cy.keyboard.press("Control+z");
  await expect(legend.locator("[data-feature=blind_hole]")).toHaveCount(0);
  await cy.keyboard.press("Control+Shift+z");
  await expect(legend.locator("[data-feature=blind_hole]")).toContainText("1");
  await expect(cy.getByTestId("save-status")).toHaveText(/Saved · revision \d+/, { timeout: 15_000 });

  // what the database holds: the latest revision has both labels
  const revisions = await query<{ revision_no: number; labels: (string | null)[]; instances: unknown[] }>(
    `select revision_no, document->'labels' as labels, document->'instances' as instances
     from annotation_revisions where part_id = $1 order by revision_no`,
    [partId],
  );
  expect(revisions.length).toBeGreaterThanOrEqual(1);
  const latest = revisions[revisions.length - 1] as (typeof revisions)[number];
  expect(latest.labels[first.face]).toBe("through_hole");
  expect(latest.labels[second.face]).toBe("blind_hole");
  expect(latest.labels.filter((l) => l !== null)).toHaveLength(2);
  expect(latest.instances).toHaveLength(2);

  // and what the screen shows at those pixels: the features' colours (pointer away, nothing selected)
  const checkColours = async () => {
    await cy.mouse.move(2, 2);
    await cy.waitForTimeout(300);
    const a = await pixelAt(cy, first.x, first.y);
    const b = await pixelAt(cy, second.x, second.y);
    // through hole #e6194b (hue 348), blind hole #f58231 (hue 24)
    expect(hueDistance(a.hue, 348), `through hole pixel ${a.rgb}`).toBeLessThan(20);
    expect(a.sat).toBeGreaterThan(0.4);
    expect(hueDistance(b.hue, 24), `blind hole pixel ${b.rgb}`).toBeLessThan(20);
    expect(b.sat).toBeGreaterThan(0.4);
  };
  await checkColours();

  // a reload restores the saved state
  await cy.reload();
  await expect(cy.locator("[data-viewer=ready]")).toHaveAttribute("data-face-count", "139", { timeout: 60_000 });
  await expect(legend.locator("[data-feature=through_hole]")).toContainText("1");
  await expect(legend.locator("[data-feature=blind_hole]")).toContainText("1");
  await expect(cy.getByTestId("unlabelled-count")).toHaveText("137");
  await checkColours();

  // submitting with unlabelled faces is refused with the reason
  await cy.getByRole("button", { name: "Submit for review" }).click();
  await expect(cy.getByTestId("submit-problems")).toContainText("137");
  // everything else is stock: select the unlabelled faces, press 1
  await cy.getByRole("button", { name: /Select all unlabelled/ }).click();
  await expect(cy.getByTestId("selection-panel")).toContainText("137 face(s)");
  await cy.keyboard.press("1");
  await expect(cy.getByTestId("unlabelled-count")).toHaveText("0");
  await confirmUnsureFaces(cy);
  // after the submit the page asks nothing more of the lease it no longer holds (it was answered 409)
  const leaseCalls: string[] = [];
  await cy.getByRole("button", { name: "Submit for review" }).focus();
  cy.on("request", (r) => {
    if (r.url().endsWith(`/parts/${partId}/lease`)) leaseCalls.push(r.method());
  });
  await cy.getByRole("button", { name: "Submit for review" }).click();
  await expect(cy).toHaveURL(new RegExp(`/w/${LAB.slug}/queue\\?submitted=`));
  await expect(cy.getByRole("status")).toContainText(`Submitted ${NIST} for review`);
  // leaving the workbench happened by now (the queue page shows): a beacon would have been sent
  await expect(cy.getByRole("heading", { name: /Parts I hold/ })).toBeVisible();
  expect(leaseCalls).toEqual([]);
  const [after] = await query<{ status: string; stock: number }>(
    `select p.status, (select count(*)::int from jsonb_array_elements_text(r.document->'labels') l where l = 'stock') as stock
     from parts p join annotation_revisions r on r.part_id = p.id
     where p.id = $1 order by r.revision_no desc limit 1`,
    [partId],
  );
  expect(after).toEqual({ status: "in_review", stock: 137 });
  // append-only: the revision saved before the reload is still there, unchanged
  const [kept] = await query<{ labels: (string | null)[] }>(
    "select document->'labels' as labels from annotation_revisions where part_id = $1 and revision_no = $2",
    [partId, latest.revision_no],
  );
  expect(kept?.labels).toEqual(latest.labels);
  const [{ count } = { count: 0 }] = await query<{ count: number }>(
    "select count(*)::int as count from annotation_revisions where part_id = $1",
    [partId],
  );
  expect(count).toBeGreaterThan(latest.revision_no);
});

test("a second annotator never gets the part the first holds; both see each other on it", async () => {
  await cy.goto(`/w/${LAB.slug}/queue`);
  await expect(cy.locator("body[data-shortcuts=ready]")).toHaveCount(1); // hydrated: keys are listened to
  await cy.keyboard.press("n");
  await expect(cy).toHaveURL(/\/label$/);
  const held = (cy.url().match(/parts\/([0-9a-f-]{36})\/label/) as RegExpMatchArray)[1] as string;
  await expect(cy.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });

  // the queue is empty for the second annotator: the only waiting part is held
  const claim = await dee.request.post(`/api/workspaces/${LAB.slug}/queue/claim`, { data: {} });
  expect(claim.status()).toBe(404);
  expect((await claim.json()).error.code).toBe("QUEUE_EMPTY");
  const [row] = await query<{ email: string }>(
    "select pr.email from parts p join profiles pr on pr.user_id = p.annotator_id where p.id = $1",
    [held],
  );
  expect(row?.email).toBe(CY.email);

  // the second annotator opens it anyway: read-only, and both are shown as present
  await dee.goto(`/w/${LAB.slug}/parts/${held}/label`);
  await expect(dee.getByTestId("workbench")).toHaveAttribute("data-editable", "no");
  await expect(dee.getByTestId("save-status")).toContainText(`Read-only · held by ${CY.email}`);
  for (const page of [cy, dee]) {
    await expect(page.getByTestId("presence").locator(`[data-email="${CY.email}"]`)).toBeVisible();
    await expect(page.getByTestId("presence").locator(`[data-email="${DEE.email}"]`)).toBeVisible();
  }
  // a label key does nothing there
  await expect(dee.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });
  await dee.keyboard.press("2");
  await expect(dee.getByTestId("notice")).toContainText("read-only");

  // live status: the first annotator releases it, the second sees it without reloading
  await cy.getByRole("button", { name: "Release" }).click();
  await expect(cy).toHaveURL(new RegExp(`/w/${LAB.slug}/queue$`));
  await expect(dee.getByTestId("part-status")).toHaveText(/unannotated/i);
  await expect(dee.getByTestId("presence").locator(`[data-email="${CY.email}"]`)).toHaveCount(0);
});

test("viewer tools: box, paint, grow, isolate, views, orbit, zoom, fit, section; palette search, Ctrl+click, Delete, bottom faces; merge and split; a newer revision elsewhere is announced", async () => {
  // a richer part, in a dataset of its own; Dee claims from that dataset's queue
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "Tools" } });
  const { dataset } = await ds.json();
  // this spec labels parts from scratch: no pre-labels
  await query("update datasets set prelabel = false where id = $1", [dataset.id]);
  await uploadNistPart(admin, LAB.slug, dataset.id, "nist_ctc_03_asme1_rc.stp");
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="unannotated"] .n')).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 150_000 });
  const claim = await dee.request.post(`/api/workspaces/${LAB.slug}/queue/claim`, {
    data: { datasetId: dataset.id },
  });
  expect(claim.status()).toBe(200);
  const partId = (await claim.json()).part.id as string;
  await dee.goto(`/w/${LAB.slug}/parts/${partId}/label`);
  const viewer = dee.locator("[data-viewer=ready]");
  await expect(viewer).toBeVisible({ timeout: 60_000 });
  await expect(dee.locator("body[data-workbench=ready]")).toHaveCount(1);
  const selected = dee.getByTestId("selection-panel");
  const box = (await viewer.boundingBox()) as { x: number; y: number; width: number; height: number };

  // box select: a rectangle over the middle of the part selects what is visible there
  await dee.keyboard.press("r");
  await dee.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await dee.mouse.down();
  await dee.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 5 });
  await dee.mouse.up();
  await expect(selected).not.toContainText(" 0 face(s)");
  const boxed = Number((await selected.textContent())?.match(/(\d+) face\(s\)/)?.[1]);
  expect(boxed).toBeGreaterThan(1);
  await dee.keyboard.press("Escape");
  await expect(selected).toContainText(" 0 face(s)");

  // paint: dragging across the part selects the faces crossed
  await dee.keyboard.press("p");
  await dee.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
  await dee.mouse.down();
  await dee.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.5, { steps: 25 });
  await dee.mouse.up();
  const painted = Number((await selected.textContent())?.match(/(\d+) face\(s\)/)?.[1]);
  expect(painted).toBeGreaterThan(1);

  // isolate shows only the selection; show all brings the rest back
  await dee.keyboard.press("i");
  await expect(dee.getByRole("button", { name: /Show all \(\d+ hidden\)/ })).toBeVisible();
  await dee.keyboard.press("Shift+H");
  await expect(dee.getByRole("button", { name: "Show all" })).toBeDisabled();
  await dee.keyboard.press("Escape");
  await dee.keyboard.press("v");

  // grow from one face: the selection spreads over adjacent faces of its surface type
  const [seed] = await visibleFaces(dee, 1);
  if (!seed) throw new Error("no visible face");
  await dee.mouse.click(seed.x, seed.y);
  await expect(selected).toContainText(" 1 face(s)");
  await dee.keyboard.press("g");
  await expect(selected).not.toContainText(" 1 face(s)");
  await dee.keyboard.press("Escape");

  // standard view, orthographic, x-ray and a section: the picture changes each time
  const picture = async () => (await viewer.locator("canvas").screenshot()).toString("base64");
  const before = await picture();
  await dee.getByLabel("Standard view").selectOption("top");
  await expect.poll(picture).not.toBe(before);
  const top = await picture();
  await dee.keyboard.press("o");
  await expect(dee.getByRole("button", { name: /Ortho/ })).toHaveAttribute("aria-pressed", "true");
  await expect.poll(picture).not.toBe(top);
  await dee.keyboard.press("x");
  const xray = await picture();
  await dee.keyboard.press("x");
  await dee.getByLabel("Section", { exact: true }).check();
  await expect.poll(picture).not.toBe(xray);
  await dee.getByLabel("Section", { exact: true }).uncheck();
  await dee.getByLabel("Standard view").selectOption("iso");
  await dee.keyboard.press("o");

  // two separate faces labelled the same are two instances; merge makes one, split makes two again
  const [a, b] = await visibleFaces(dee, 2);
  if (!a || !b) throw new Error("no two visible faces");
  await dee.mouse.click(a.x, a.y);
  await dee.keyboard.press("6"); // rectangular pocket
  await dee.mouse.click(b.x, b.y);
  await dee.keyboard.press("6");
  const instances = dee.getByTestId("instances");
  const pockets = instances.locator("[data-feature=rectangular_pocket]");
  const count = await pockets.count();
  expect(count === 1 || count === 2).toBe(true); // one if the two faces touch
  if (count === 2) {
    await dee.mouse.click(a.x, a.y);
    await dee.keyboard.down("Shift");
    await dee.mouse.click(b.x, b.y);
    await dee.keyboard.up("Shift");
    await expect(selected).toContainText(" 2 face(s)");
    await dee.getByRole("button", { name: "Merge" }).click();
    await expect(pockets).toHaveCount(1);
  }
  await dee.mouse.click(b.x, b.y);
  await dee.getByRole("button", { name: "Split" }).click();
  await expect(pockets).toHaveCount(2);
  // a parameter typed by hand is kept and marked
  const width = pockets.first().locator("input[data-param=width]");
  await width.fill("12.5");
  await width.press("Enter");
  await expect(pockets.first()).toContainText("manual");
  // a bottom face: select the instance's faces from its row, press B
  await pockets.first().getByRole("button").first().click();
  await dee.keyboard.press("b");
  await expect(pockets.first()).toContainText("bottom");

  // the palette's search: `/`, a few letters, Enter labels the selection
  // (two other faces than the pockets')
  const [d, e] = (await visibleFaces(dee, 4)).filter((v) => v.face !== a.face && v.face !== b.face);
  if (!d || !e) throw new Error("no two more visible faces");
  await dee.mouse.click(d.x, d.y);
  await dee.keyboard.press("/");
  await dee.keyboard.type("chamf");
  await expect(dee.getByTestId("palette").locator("[data-feature]")).toHaveCount(1);
  await dee.keyboard.press("Enter");
  const legend = dee.getByTestId("legend");
  await expect(legend.locator("[data-feature=chamfer]")).toContainText("1");
  // Ctrl+click adds a face, Ctrl+click again takes it out
  await dee.mouse.click(d.x, d.y);
  await dee.keyboard.down("Control");
  await dee.mouse.click(e.x, e.y);
  await expect(selected).toContainText(" 2 face(s)");
  await dee.mouse.click(e.x, e.y);
  await dee.keyboard.up("Control");
  await expect(selected).toContainText(" 1 face(s)");
  // Delete clears the label
  await dee.keyboard.press("Delete");
  await expect(legend.locator("[data-feature=chamfer]")).toHaveCount(0);

  // orbiting (left drag with the select tool) turns the part; F fits it back into view
  const still = await picture();
  await dee.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await dee.mouse.down();
  await dee.mouse.move(box.x + box.width * 0.65, box.y + box.height * 0.55, { steps: 8 });
  await dee.mouse.up();
  await expect.poll(picture).not.toBe(still);
  // the wheel zooms in; F fits the part back into view
  const turned = await picture();
  await dee.mouse.wheel(0, -600);
  await expect.poll(picture).not.toBe(turned);
  const zoomed = await picture();
  await dee.keyboard.press("f");
  await expect.poll(picture).not.toBe(zoomed);

  // next unlabelled jumps to a face without a label
  await dee.keyboard.press("Escape");
  await dee.keyboard.press("n");
  await expect(selected).toContainText(" 1 face(s)");

  await expect(dee.getByTestId("save-status")).toHaveText(/Saved · revision \d+/, { timeout: 15_000 });
  const [stored] = await query<{
    instances: Array<{ feature: string; params: Record<string, number>; manualParams?: string[] }>;
  }>(
    "select document->'instances' as instances from annotation_revisions where part_id = $1 order by revision_no desc limit 1",
    [partId],
  );
  const stored2 = stored?.instances.filter((i) => i.feature === "rectangular_pocket") ?? [];
  expect(stored2).toHaveLength(2);
  expect(stored2.some((i) => i.params.width === 12.5 && i.manualParams?.includes("width"))).toBe(true);

  // someone else saves a newer revision (an admin, through the database here): the page says so at once
  await query(
    `insert into annotation_revisions (part_id, revision_no, document, source)
     select part_id, revision_no + 1, document, 'human' from annotation_revisions
     where part_id = $1 order by revision_no desc limit 1`,
    [partId],
  );
  await expect(dee.getByTestId("conflict")).toContainText("newer revision");
  // and a change made on the stale state is refused, not written over it ("next unlabelled" moved the camera)
  const [c] = await visibleFaces(dee, 1);
  if (!c) throw new Error("no visible face");
  await dee.mouse.click(c.x, c.y);
  await dee.keyboard.press("1");
  await expect(dee.getByTestId("selection-panel")).toContainText(" 0 face(s)"); // labelled, so deselected
  await expect(dee.getByTestId("save-status")).toHaveAttribute("data-kind", "conflict", { timeout: 15_000 });
  await expect(dee.getByTestId("conflict")).toContainText("was not saved");
  await expect(dee.getByTestId("conflict").getByRole("button", { name: "Reload" })).toBeVisible();

  // leaving the page shortens the claim to a minute: a closed tab gives the part back soon
  await dee.close({ runBeforeUnload: true });
  await expect
    .poll(
      async () =>
        (
          await query<{ left: number }>(
            "select extract(epoch from lease_expires_at - now())::int as left from parts where id = $1",
            [partId],
          )
        )[0]?.left ?? 9999,
      { timeout: 10_000 },
    )
    .toBeLessThanOrEqual(60);
});
