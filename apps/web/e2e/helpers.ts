import { spawn } from "node:child_process";
import { cp, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { ownerClient, platformOwnerUrl } from "@facet/db/testing";
import { CORPUS } from "@facet/geometry/testing";
import { type Browser, expect, type Page } from "@playwright/test";

export const ADMIN = { email: "ada@example.test", password: "first admin password" };
export const WORKSPACE = { name: "Fixture Lab", slug: "fixture-lab" };

/** The platform's own database (arranging fixtures the UI cannot make yet, e.g. parts before ingest exists). */
export function database(): ReturnType<typeof ownerClient> {
  const port = Number(process.env.FACET_E2E_PG_PORT ?? 54410);
  return ownerClient(platformOwnerUrl(process.env.FACET_E2E_DATA_DIR as string, port));
}

/** Drop real files and folders from disk onto an element, as the operating system does. */
export async function dropPaths(
  page: import("@playwright/test").Page,
  selector: string,
  paths: string[],
): Promise<void> {
  // as a person does: bring the drop zone into the window first (drag events land on what is on screen)
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const cdp = await page.context().newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ["dragEnter", "dragOver", "drop"] as const) {
    await cdp.send("Input.dispatchDragEvent", { type, ...at, data });
  }
  await cdp.detach();
}

/** Sign in through the page (setting up the first admin when the installation is fresh). */
export async function signInAdmin(page: import("@playwright/test").Page): Promise<void> {
  const setup = await page.request.get("/api/setup");
  if ((await setup.json()).needsSetup) {
    await page.request.post("/api/setup", { data: { ...ADMIN, workspaceName: WORKSPACE.name } });
  }
  await page.goto("/sign-in");
  if (page.url().includes("/sign-in")) {
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/w\//);
  }
}

/** Decode a PNG screenshot into RGBA bytes, with the browser's own decoder. */
export async function decodePng(
  page: import("@playwright/test").Page,
  png: Buffer,
): Promise<{ width: number; height: number; rgba: Buffer }> {
  const { width, height, data } = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext("2d") as CanvasRenderingContext2D;
    g.drawImage(img, 0, 0);
    const bytes = g.getImageData(0, 0, c.width, c.height).data;
    let binary = "";
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
    return { width: c.width, height: c.height, data: btoa(binary) };
  }, png.toString("base64"));
  return { width, height, rgba: Buffer.from(data, "base64") };
}

/** The shared corpus of real STEP parts (beside the repository). */
export { CORPUS };

/** Rows of a query on the platform's database, as its owner. */
export async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const db = database();
  await db.connect();
  try {
    return (await db.query(sql, params)).rows as T[];
  } finally {
    await db.end();
  }
}

/** Someone new joins a workspace through an invitation link made by its admin: their own browser, signed in. */
export async function joinWorkspace(
  browser: Browser,
  admin: Page,
  workspace: string,
  who: { email: string; password: string },
  role: string,
): Promise<Page> {
  const res = await admin.request.post(`/api/workspaces/${workspace}/invitations`, { data: { role } });
  expect(res.status()).toBe(201);
  const { url } = await res.json();
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(new URL(url).pathname);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Join workspace" }).click();
  await expect(page).toHaveURL(`/w/${workspace}`);
  return page;
}

/** Upload one part of the corpus (a path under it) through the dataset page, as a person drops a file. */
export async function uploadCorpusPart(admin: Page, workspace: string, datasetId: string, file: string): Promise<void> {
  const folder = await mkdtemp(path.join(os.tmpdir(), "facet-e2e-"));
  const name = path.basename(file);
  await cp(path.join(CORPUS, file), path.join(folder, name));
  await admin.goto(`/w/${workspace}/datasets/${datasetId}`);
  await dropPaths(admin, "[data-testid=dropzone]", [path.join(folder, name)]);
  await expect(admin.getByTestId("upload-summary")).toContainText("1/1 done · 1 new");
}

/** Upload one NIST part of the corpus through the dataset page. */
export const uploadNistPart = (admin: Page, workspace: string, datasetId: string, file: string) =>
  uploadCorpusPart(admin, workspace, datasetId, `nist-pmi/${file}`);

/** Hue (degrees) and saturation of the rendered pixel at a point of the page. */
export async function pixelAt(page: Page, x: number, y: number): Promise<{ hue: number; sat: number; rgb: number[] }> {
  const shot = await page.screenshot({ clip: { x: Math.round(x) - 1, y: Math.round(y) - 1, width: 3, height: 3 } });
  const { width, rgba } = await decodePng(page, shot);
  const at = (1 * width + 1) * 4; // the middle pixel of the 3x3 clip
  const rgb = [rgba[at], rgba[at + 1], rgba[at + 2]] as [number, number, number];
  const [r, gr, b] = rgb.map((v) => v / 255) as [number, number, number];
  const max = Math.max(r, gr, b);
  const min = Math.min(r, gr, b);
  let hue = 0;
  if (max !== min) {
    if (max === r) hue = ((gr - b) / (max - min)) % 6;
    else if (max === gr) hue = (b - r) / (max - min) + 2;
    else hue = (r - gr) / (max - min) + 4;
  }
  return { hue: (hue * 60 + 360) % 360, sat: max === 0 ? 0 : (max - min) / max, rgb };
}

/** A feature's name in the default schema, as panels show it ("no label" for none). */
export const featureName = (key: string | null | undefined): string =>
  DEFAULT_TAXONOMY.featureTypes.find((t) => t.key === key)?.name ?? "no label";

interface ViewerProbe {
  model(): { faceCount: number; triangleStart: Uint32Array } | null;
  visiblePoint(face: number): { x: number; y: number } | null;
}

/** The biggest visible face of the part in the page's viewer (except `skip`), and a point where a click picks it. */
export async function bigVisibleFace(page: Page, skip: number[] = []): Promise<{ face: number; x: number; y: number }> {
  return page.evaluate((skipped) => {
    const v = (window as unknown as { __facetViewer?: ViewerProbe }).__facetViewer;
    const model = v?.model();
    if (!v || !model) throw new Error("no viewer");
    const sizes = Array.from({ length: model.faceCount }, (_, f) => [
      f,
      (model.triangleStart[f + 1] as number) - (model.triangleStart[f] as number),
    ]);
    for (const [f] of sizes.sort((a, b) => (b[1] as number) - (a[1] as number))) {
      if (skipped.includes(f as number)) continue;
      const p = v.visiblePoint(f as number);
      if (p) return { face: f as number, ...p };
    }
    throw new Error("no visible face");
  }, skip);
}

/**
 * Confirm, on the open workbench, every unsure pre-labelled face still waiting (the submission
 * refuses them otherwise): U frames the next one, its "Confirm face N" button confirms it.
 */
export async function confirmUnsureFaces(page: Page): Promise<number> {
  const panel = page.getByTestId("prelabel-uncertain");
  if ((await panel.count()) === 0) return 0;
  const left = async () => Number((await panel.getAttribute("data-left")) ?? 0);
  let confirmed = 0;
  for (let n = await left(); n > 0; n = await left()) {
    const button = panel.getByRole("button", { name: /^Confirm face \d+/ });
    if ((await button.count()) === 0) await page.keyboard.press("u");
    await button.click();
    await expect(panel).not.toHaveAttribute("data-left", String(n));
    confirmed++;
  }
  return confirmed;
}

/** Poll until every part of a dataset has been processed (ready to label); their ids by name. */
export async function processedParts(datasetId: string, count: number): Promise<Record<string, string>> {
  await expect
    .poll(
      async () =>
        (
          await query<{ n: number }>(
            `select count(*)::int as n from parts
             where dataset_id = $1 and status in ('unannotated', 'pre_labeled') and geometry_id is not null`,
            [datasetId],
          )
        )[0]?.n,
      { timeout: 120_000 },
    )
    .toBe(count);
  const rows = await query<{ id: string; name: string }>("select id, name from parts where dataset_id = $1", [
    datasetId,
  ]);
  return Object.fromEntries(rows.map((r) => [r.name, r.id]));
}

/**
 * Give a processed part labels through the API an import uses (`facet import-labels`): every face
 * `base`, then each instance's faces (taken in order from face 0) its feature, grouped as instances.
 */
export async function importPartLabels(
  page: Page,
  workspace: string,
  partId: string,
  base: string,
  instances: Array<{ feature: string; faces: number }>,
): Promise<void> {
  const [geometry] = await query<{ signature: string; faceCount: number }>(
    `select g.face_signature as signature, g.face_count as "faceCount"
     from parts p join part_geometry g on g.id = p.geometry_id where p.id = $1`,
    [partId],
  );
  if (!geometry) throw new Error(`part ${partId} has no geometry`);
  const labels: string[] = Array.from({ length: geometry.faceCount }, () => base);
  let next = 0;
  const groups = instances.map((inst, i) => {
    const faces = Array.from({ length: inst.faces }, () => next++);
    if (next > geometry.faceCount) throw new Error(`part ${partId} has only ${geometry.faceCount} faces`);
    for (const f of faces) labels[f] = inst.feature;
    return { id: `i${i}`, feature: inst.feature, faces, params: {} };
  });
  const res = await page.request.post(`/api/workspaces/${workspace}/parts/${partId}/revisions`, {
    data: {
      source: "import",
      document: {
        schemaVersion: 1,
        faceSignature: geometry.signature,
        faceCount: geometry.faceCount,
        labels,
        instances: groups,
        provenance: { format: "e2e" },
      },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
}

/**
 * A workspace of its own (other specs' parts stay out of it) with one dataset of real corpus parts,
 * processed and labelled through the import API (no pre-labels: the imported labels stay each
 * part's latest revision). `parts`: corpus path → the instances given to it over a `stock` base.
 */
export async function labelledWorkspace(
  admin: Page,
  input: { workspace: string; dataset: string; parts: Record<string, Array<{ feature: string; faces: number }>> },
): Promise<{ slug: string; datasetId: string; ids: Record<string, string> }> {
  const made = await admin.request.post("/api/workspaces", { data: { name: input.workspace } });
  expect(made.status()).toBe(201);
  const slug: string = (await made.json()).workspace.slug;
  const ds = await admin.request.post(`/api/workspaces/${slug}/datasets`, { data: { name: input.dataset } });
  const datasetId: string = (await ds.json()).dataset.id;
  const off = await admin.request.patch(`/api/workspaces/${slug}/datasets/${datasetId}`, { data: { prelabel: false } });
  expect(off.status()).toBe(200);
  const files = Object.keys(input.parts);
  for (const f of files) await uploadCorpusPart(admin, slug, datasetId, f);
  const ids = await processedParts(datasetId, files.length);
  for (const f of files)
    await importPartLabels(admin, slug, ids[path.basename(f)] as string, "stock", input.parts[f] ?? []);
  return { slug, datasetId, ids };
}

/**
 * An operator's `facet` command (backup, restore, gc, verify) run beside the e2e installation, as on the
 * server: the real CLI on this run's data folder and database port; its exit code and output.
 */
export function operatorFacet(args: string[]): Promise<{ code: number | null; out: string }> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  const child = spawn(process.execPath, [path.join(repo, "packages/cli/bin/facet.mjs"), ...args], {
    env: {
      ...process.env,
      FACET_DATA_DIR: process.env.FACET_E2E_DATA_DIR,
      FACET_PG_PORT: process.env.FACET_E2E_PG_PORT ?? "54410",
      DATABASE_URL: "",
      FACET_STORAGE: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

/**
 * Records every showing of an element that may be on the page for a moment only (a progress bar
 * whose job ends within a poll). `expect` and `waitForSelector` look every 500 ms or so and can miss
 * it; a MutationObserver sees each change of the page, so an element once attached is recorded.
 * Returns a reader of what was recorded: for each change that left elements matching `selector`,
 * the first one's `attribute`. Valid until the page navigates.
 */
export async function recordShowings(
  page: Page,
  selector: string,
  attribute: string,
): Promise<() => Promise<Array<string | null>>> {
  const slot = `facet-showings-${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ slot, selector, attribute }) => {
      const seen: Array<string | null> = [];
      (window as unknown as Record<string, unknown>)[slot] = seen;
      const look = () => {
        const el = document.querySelector(selector);
        if (el) seen.push(el.getAttribute(attribute));
      };
      look();
      new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
    },
    { slot, selector, attribute },
  );
  return () => page.evaluate((slot) => (window as unknown as Record<string, Array<string | null>>)[slot] ?? [], slot);
}
