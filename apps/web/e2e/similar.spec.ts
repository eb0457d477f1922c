import { expect, test } from "@playwright/test";
import { query, signInAdmin, uploadCorpusPart } from "./helpers";

/** The dataset's parts once the worker has processed them all (fingerprints and thumbnails made), by name. */
async function fingerprinted(datasetId: string, count: number): Promise<Record<string, string>> {
  const done = () =>
    query<{ id: string; name: string }>(
      `select p.id, p.name from parts p join part_geometry g on g.id = p.geometry_id
       where p.dataset_id = $1 and g.shape_descriptor is not null and g.thumbnail_key is not null`,
      [datasetId],
    );
  await expect.poll(async () => (await done()).length, { timeout: 180_000 }).toBe(count);
  return Object.fromEntries((await done()).map((r) => [r.name, r.id]));
}

test("a part's page lists the parts nearest in shape, the near-duplicate first with its badge and thumbnail", async ({
  page,
}) => {
  test.setTimeout(240_000); // three uploads processed by the worker
  await signInAdmin(page);
  // a workspace of its own: the parts other specs upload are similar shapes too
  const made = await page.request.post("/api/workspaces", { data: { name: `Similar ${Date.now()}` } });
  expect(made.status()).toBe(201);
  const slug: string = (await made.json()).workspace.slug;
  const created = await page.request.post(`/api/workspaces/${slug}/datasets`, {
    data: { name: "Similar shapes" },
  });
  expect(created.status()).toBe(201);
  const { dataset } = await created.json();
  // the same NIST part from two exporters, and an unrelated MFCAD part
  for (const file of [
    "nist-pmi/nist_ctc_01_asme1_rd.stp",
    "nist-pmi/nist_ctc_01_asme1_ap203.stp",
    "mfcad/0-0-0-0-0-23.step",
  ])
    await uploadCorpusPart(page, slug, dataset.id, file);
  const ids = await fingerprinted(dataset.id, 3);

  await page.goto(`/w/${slug}/parts/${ids["nist_ctc_01_asme1_rd.stp"]}`);
  const section = page.getByTestId("similar-parts");
  await expect(section.getByRole("heading", { name: "Similar parts" })).toBeVisible();
  const items = section.getByTestId("similar-part");
  await expect(items).toHaveCount(2);
  const first = items.nth(0);
  await expect(first.getByRole("link")).toHaveText("nist_ctc_01_asme1_ap203.stp");
  await expect(first).toContainText("Similar shapes");
  await expect(first.getByText("near-duplicate")).toBeVisible();
  await expect(items.nth(1).getByRole("link")).toHaveText("0-0-0-0-0-23.step");
  await expect(items.nth(1).getByText("near-duplicate")).toHaveCount(0);
  const distances = await section.getByTestId("similar-distance").allTextContents();
  const [near, far] = distances.map((t) => Number(t.replace("distance ", "")));
  expect(near).toBeLessThan(far as number);

  // the thumbnail the worker drew actually loads (and the API keeps it cacheable)
  const img = first.getByRole("img");
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(256);
  const src = await img.getAttribute("src");
  const png = await page.request.get(src as string);
  expect(png.status()).toBe(200);
  expect(png.headers()["content-type"]).toBe("image/png");
  expect(png.headers()["cache-control"]).toBe("private, max-age=31536000, immutable");
  const again = await page.request.get(src as string, { headers: { "if-none-match": png.headers().etag as string } });
  expect(again.status()).toBe(304);
  // the API gives the same list
  const api = await page.request.get(
    `/api/workspaces/${slug}/parts/${ids["nist_ctc_01_asme1_rd.stp"]}/similar?limit=1`,
  );
  const body = await api.json();
  expect(body.parts.map((p: { name: string; nearDuplicate: boolean }) => [p.name, p.nearDuplicate])).toEqual([
    ["nist_ctc_01_asme1_ap203.stp", true],
  ]);
  expect((await page.request.get(`${api.url().replace(/\?.*/, "")}?limit=0`)).status()).toBe(400);

  // and it leads to that part
  await first.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("nist_ctc_01_asme1_ap203.stp");
  await expect(page.getByTestId("similar-part").first()).toContainText("nist_ctc_01_asme1_rd.stp");
});
