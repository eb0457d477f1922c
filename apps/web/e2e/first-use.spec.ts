import { expect, type Page, test } from "@playwright/test";
import { signInAdmin, WORKSPACE } from "./helpers";

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
