import { expect } from "vitest";

/** Listed keys and sizes (each entry's modification time is checked to be a recent date, then left out). */
export async function collectListing(it: AsyncIterable<{ key: string; size: number; lastModified: Date }>) {
  const out: Array<{ key: string; size: number }> = [];
  for await (const { lastModified, ...x } of it) {
    expect(lastModified).toBeInstanceOf(Date);
    expect(Math.abs(lastModified.getTime() - Date.now())).toBeLessThan(24 * 3600_000);
    out.push(x);
  }
  return out;
}
