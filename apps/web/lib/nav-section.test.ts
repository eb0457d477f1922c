import { describe, expect, it } from "vitest";
import { currentNavHref } from "./nav-section";

const base = "/w/lab";
const all = ["", "/queue", "/review", "/catalog", "/quality", "/admin"].map((p) => `${base}${p}`);

describe("currentNavHref", () => {
  it("marks the overview only on itself", () => {
    expect(currentNavHref("/w/lab", base, all)).toBe("/w/lab");
    expect(currentNavHref("/w/lab/", base, all)).toBe("/w/lab");
    expect(currentNavHref("/w/lab/settings-nobody-has", base, all)).toBeUndefined();
  });

  it("marks an item on its page and below it", () => {
    expect(currentNavHref("/w/lab/queue", base, all)).toBe("/w/lab/queue");
    expect(currentNavHref("/w/lab/admin/audit", base, all)).toBe("/w/lab/admin");
  });

  it("files datasets and parts under the catalog, a workbench under the queue, a review under review", () => {
    expect(currentNavHref("/w/lab/datasets/d1", base, all)).toBe("/w/lab/catalog");
    expect(currentNavHref("/w/lab/parts/p1", base, all)).toBe("/w/lab/catalog");
    expect(currentNavHref("/w/lab/parts/p1/label", base, all)).toBe("/w/lab/queue");
    expect(currentNavHref("/w/lab/parts/p1/review", base, all)).toBe("/w/lab/review");
  });

  it("falls back to the catalog when the role has no queue or review", () => {
    const viewer = [`${base}`, `${base}/catalog`];
    expect(currentNavHref("/w/lab/parts/p1/label", base, viewer)).toBe("/w/lab/catalog");
    expect(currentNavHref("/w/lab/parts/p1/review", base, viewer)).toBe("/w/lab/catalog");
  });
});
