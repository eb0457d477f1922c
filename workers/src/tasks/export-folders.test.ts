import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeAbandonedExportFolders } from "./export";

describe("the working folders of exports a killed worker left", () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), "facet-export-folders-"));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it("are removed when their process is gone; a live process's, and other folders, are kept", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // exited and reaped
    const folders = [`facet-export-${gone}-a1b2c3`, `facet-export-${process.pid}-d4e5f6`, "facet-exports-of-mine", "x"];
    for (const f of folders) {
      await mkdir(path.join(base, f));
      await writeFile(path.join(base, f, "archive.zip"), "half an archive");
    }
    expect(await removeAbandonedExportFolders(base)).toBe(1);
    expect((await readdir(base)).sort()).toEqual(folders.slice(1).sort());
  });

  it("finds nothing to do in a folder that does not exist", async () => {
    expect(await removeAbandonedExportFolders(path.join(base, "missing"))).toBe(0);
  });
});
