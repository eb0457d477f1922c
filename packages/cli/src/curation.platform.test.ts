import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { blobKey, DEFAULT_TAXONOMY } from "@facet/core";
import { CORPUS } from "@facet/geometry/testing";
import { type Platform, startPlatform } from "@facet/launcher/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type FacetRun, facet, spawnFacet, storedKey, waitProcessed } from "./testing";

/**
 * The curation commands (`facet query`, `snapshot`, `export`, `pull`) as an ML engineer runs them,
 * against the real platform: MFCAD parts pushed, processed by the worker and labelled by
 * `facet import-labels`; expectations computed from the corpus's own labels.json.
 */

const ADMIN = { email: "ml@example.test", password: "ml password 1234" };
const DATASET = "curation";
const PARTS = ["0-0-0-0-0-23", "0-0-10-10-12-23", "0-0-4-11-13-23", "0-0-8-8-11-23", "0-1-2-3-19", "0-1-5-5-13-23"];

const json = (r: FacetRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};
const jsonLines = (r: FacetRun) =>
  r.stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const feature = (n: number) => DEFAULT_TAXONOMY.crosswalks.mfcad?.classes[n]?.feature ?? null;

interface Known {
  id: string;
  name: string;
  sha256: string;
  /** Feature per face, in the face order of labels.json (face id). */
  features: Set<string>;
  faceCount: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("facet curation commands", () => {
  let platform: Platform;
  let configDir: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let call: ReturnType<typeof apiClient>;
  const known = new Map<string, Known>();
  const byName = (stem: string) => known.get(`${stem}.step`) as Known;
  /** The six parts in the order of PARTS. */
  const six = () => PARTS.map(byName) as [Known, Known, Known, Known, Known, Known];
  let v1: { checksum: string; partCount: number; faceCount: number };

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    configDir = await mkdtemp(path.join(os.tmpdir(), "facet-curation-config-"));
    work = await mkdtemp(path.join(os.tmpdir(), "facet-curation-"));
    env = { FACET_CONFIG_DIR: configDir, FACET_URL: "", FACET_API_KEY: "", FACET_WORKSPACE: "" };
    const login = await facet(
      ["login", "--url", platform.url, "--email", ADMIN.email, "--password", ADMIN.password, "--json"],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    call = apiClient(platform.url, await storedKey(configDir));

    // six MFCAD parts with their labels, pushed, processed, labelled
    const src = path.join(work, "src");
    await mkdir(src);
    for (const stem of PARTS)
      for (const ext of [".step", ".face_truth"])
        await copyFile(path.join(CORPUS, "mfcad", stem + ext), path.join(src, stem + ext));
    const pushed = await facet(["push", src, "--dataset", DATASET, "--json"], env);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
    const counts = await waitProcessed(DATASET, env);
    expect(counts.failed ?? 0, JSON.stringify(counts)).toBe(0);
    const imported = await facet(["import-labels", "--format", "mfcad", src, "--dataset", DATASET, "--json"], env);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(json(imported)).toMatchObject({ imported: PARTS.length, failed: 0 });

    const truth = JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
      string,
      number[]
    >;
    const { body } = await call<{ parts: Array<{ id: string; name: string; sha256?: string }> }>(
      "GET",
      `/api/workspaces/test-shop/datasets/${DATASET}/parts`,
    );
    for (const p of body.parts) {
      const stem = p.name.replace(/\.step$/, "");
      const classes = truth[stem] as number[];
      known.set(p.name, {
        id: p.id,
        name: p.name,
        sha256: sha256(await readFile(path.join(src, p.name))),
        features: new Set(classes.map((c) => feature(c) as string)),
        faceCount: classes.length,
      });
    }
    expect(known.size).toBe(PARTS.length);
  }, 900_000);

  afterAll(async () => {
    await platform?.stop();
    await rm(configDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it("explains each command with --help", async () => {
    for (const [command, words] of [
      ["query", "--filter"],
      ["snapshot", "verify"],
      ["export", "parquet"],
      ["pull", "resume"],
    ] as const) {
      const r = await facet([command, "--help"], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(words);
    }
  });

  it("queries the catalog: every row as labelled, filters on features, faces, tags, splits and status", async () => {
    const all = await facet(["query", "--dataset", DATASET, "--json"], env);
    expect(all.code, all.stderr).toBe(0);
    const rows = jsonLines(all);
    expect(rows.map((r) => r.name).sort()).toEqual([...known.keys()].sort());
    expect(all.stderr).toContain(`${PARTS.length} of ${PARTS.length} matching`);
    for (const r of rows) {
      const k = known.get(r.name as string) as Known;
      expect(r.faceCount, k.name).toBe(k.faceCount);
      expect([...(r.features as string[])].sort(), k.name).toEqual([...k.features].sort());
    }

    const names = async (filter: string, extra: string[] = []) => {
      const r = await facet(["query", "--dataset", DATASET, "--filter", filter, "--json", ...extra], env);
      expect(r.code, `${filter}: ${r.stdout} ${r.stderr}`).toBe(0);
      return jsonLines(r)
        .map((x) => x.name as string)
        .sort();
    };
    // a feature class some parts have and others not
    const classes = [...new Set([...known.values()].flatMap((k) => [...k.features]))].sort();
    const partial = classes.find((c) => {
      const n = [...known.values()].filter((k) => k.features.has(c)).length;
      return n > 0 && n < known.size;
    }) as string;
    expect(partial).toBeDefined();
    const withIt = [...known.values()].filter((k) => k.features.has(partial)).map((k) => k.name);
    expect(await names(`has=${partial}`)).toEqual(withIt.sort());

    const faceCounts = [...known.values()].map((k) => k.faceCount).sort((a, b) => a - b);
    const [lo, hi] = [faceCounts[1] as number, faceCounts[4] as number];
    const inRange = [...known.values()].filter((k) => k.faceCount >= lo && k.faceCount <= hi).map((k) => k.name);
    expect(await names(`faces=${lo}..${hi}`)).toEqual(inRange.sort());
    expect(await names(`faces=${lo}..${hi}&has=${partial}`)).toEqual(inRange.filter((n) => withIt.includes(n)).sort());

    // tags and splits set over the API, then found by the filter
    const [a, b, c, d, e, f] = six();
    expect(
      (await call("POST", "/api/workspaces/test-shop/parts/tags", { partIds: [a.id, b.id], add: ["fixture"] })).status,
    ).toBe(200);
    for (const [split, parts] of [
      ["train", [a, b, c, d]],
      ["val", [e, f]],
    ] as const) {
      const r = await call("POST", "/api/workspaces/test-shop/parts/split", { partIds: parts.map((p) => p.id), split });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect(await names("tag=fixture")).toEqual([a.name, b.name].sort());
    expect(await names("split=val")).toEqual([e.name, f.name].sort());
    expect(await names("split=train&tag=fixture")).toEqual([a.name, b.name].sort());

    // the status filter agrees with `facet status`
    const status = json(await facet(["status", "--dataset", DATASET, "--json"], env)).counts as Record<string, number>;
    for (const [s, n] of Object.entries(status).filter(([, n]) => n > 0))
      expect((await names(`status=${s}`)).length, s).toBe(n);

    // the limit, --all and the table
    const limited = await facet(["query", "--dataset", DATASET, "--limit", "2", "--json"], env);
    expect(jsonLines(limited)).toHaveLength(2);
    expect(limited.stderr).toContain(`2 of ${PARTS.length} matching`);
    expect(await names("sort=name", ["--all"])).toHaveLength(PARTS.length);
    const table = await facet(["query", "--dataset", DATASET, "--filter", "tag=fixture&sort=name"], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+SPLIT\s+FACES\s+FEATURES\s+TAGS$/);
    expect(lines[1]).toContain([a.name, b.name].sort()[0]);
    expect(lines[1]).toMatch(/\btrain\b.*\bfixture$/);
    expect(lines.at(-1)).toBe(`2 of 2 matching part(s) shown`);

    // a filter the catalog does not know is refused with the API's message
    const bad = await facet(["query", "--dataset", DATASET, "--filter", "colour=red"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^facet: catalog filter: .*colour/);
  });

  it("freezes snapshots, lists them and verifies the database, manifest and files agree", async () => {
    const created = await facet(
      ["snapshot", "create", "v1", "--dataset", DATASET, "--description", "first cut", "--json"],
      env,
    );
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const s = json(created);
    const faces = [...known.values()].reduce((n, k) => n + k.faceCount, 0);
    expect(s).toMatchObject({ name: "v1", partCount: PARTS.length, faceCount: faces, description: "first cut" });
    expect(s.checksum).toMatch(/^[0-9a-f]{64}$/);
    const [a, b, c, d, e, f] = six();
    const facesOf = (ks: Known[]) => ks.reduce((n, k) => n + k.faceCount, 0);
    expect(s.splits).toEqual([
      { split: "train", parts: 4, faces: facesOf([a, b, c, d]) },
      { split: "val", parts: 2, faces: facesOf([e, f]) },
    ]);
    v1 = s;

    const text = await facet(["snapshot", "create", "fixtures", "--dataset", DATASET, "--filter", "tag=fixture"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("snapshot fixtures of curation: 2 part(s)");
    expect(text.stdout).toContain("per split: train 2");
    expect(text.stdout).toMatch(/checksum: [0-9a-f]{64}/);

    const again = await facet(["snapshot", "create", "v1", "--dataset", DATASET], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^facet: .+/);

    const list = json(await facet(["snapshot", "list", "--dataset", DATASET, "--json"], env)) as Array<{
      name: string;
      partCount: number;
    }>;
    expect(list.map((x) => [x.name, x.partCount]).sort()).toEqual([
      ["fixtures", 2],
      ["v1", PARTS.length],
    ]);
    const listText = await facet(["snapshot", "list"], env);
    expect(listText.stdout).toMatch(/^NAME\s+DATASET\s+PARTS/);
    expect(listText.stdout).toMatch(/\nv1\s+curation\s+6\s/);

    const verified = await facet(["snapshot", "verify", "v1"], env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain("✓ database");
    expect(verified.stdout).toContain("✓ manifest");
    expect(verified.stdout).toContain("snapshot v1 verified");
    const deep = await facet(["snapshot", "verify", "v1", "--deep", "--json"], env);
    expect(deep.code).toBe(0);
    expect(json(deep)).toMatchObject({
      ok: true,
      problems: [],
      checks: { blobs: { checked: PARTS.length, missing: 0, damaged: 0, deep: true } },
    });
  });

  it("pulls a snapshot: STEP files by hash, labels, manifest; a second pull transfers nothing", async () => {
    const out = path.join(work, "pull-1");
    const r = await facet(["pull", "--snapshot", "v1", "--out", out, "--json"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ parts: 6, downloaded: 6, present: 0, failed: 0, labelsWritten: 6 });
    const expected = (split: string, ks: Known[]) =>
      ks.flatMap((k) => [`${split}/${k.sha256}.labels.json`, `${split}/${k.sha256}.step`]);
    const [a, b, c, d, e, f] = six();
    expect(await filesUnder(out)).toEqual(
      ["manifest.json", ...expected("train", [a, b, c, d]), ...expected("val", [e, f])].sort(),
    );
    for (const k of known.values()) {
      const split = [e, f].includes(k) ? "val" : "train";
      const bytes = await readFile(path.join(out, split, `${k.sha256}.step`));
      expect(sha256(bytes)).toBe(k.sha256);
      expect(bytes.equals(await readFile(path.join(CORPUS, "mfcad", k.name)))).toBe(true);
      const labels = JSON.parse(await readFile(path.join(out, split, `${k.sha256}.labels.json`), "utf8"));
      expect(labels).toMatchObject({ partId: k.id, name: k.name, split, blobSha256: k.sha256 });
      expect(labels.revisionNo).toBeGreaterThan(0);
      expect(labels.document.labels).toHaveLength(k.faceCount);
      expect(new Set(labels.document.labels)).toEqual(k.features);
    }
    const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ format: "facet.snapshot/1", partCount: 6, checksum: v1.checksum });

    const second = await facet(["pull", "--snapshot", "v1", "--out", out], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("0 downloaded (0 B), 6 already present, 0 failed");
    expect(second.stdout).toContain("nothing transferred");

    const val = path.join(work, "pull-val");
    const onlyVal = await facet(["pull", "--snapshot", "v1", "--split", "val", "--out", val, "--json"], env);
    expect(json(onlyVal)).toMatchObject({ parts: 2, downloaded: 2, failed: 0, split: "val" });
    expect(await filesUnder(val)).toEqual(["manifest.json", ...expected("val", [e, f])].sort());
    const none = await facet(["pull", "--snapshot", "v1", "--split", "test", "--out", val], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no part in split "test"');
  });

  it("resumes an interrupted pull: only what is missing or incomplete is downloaded", async () => {
    const out = path.join(work, "pull-2");
    // killed as soon as its first file lands
    const run = spawnFacet(["pull", "--snapshot", "v1", "--out", out, "--concurrency", "1"], {
      ...env,
    });
    for (let i = 0; i < 400 && run.child.exitCode === null; i++) {
      if ((await filesUnder(out)).some((f) => f.endsWith(".step"))) break;
      await new Promise((res) => setTimeout(res, 5));
    }
    run.child.kill("SIGKILL");
    await run.done;
    // whatever is under a final name is whole
    const after = (await filesUnder(out)).filter((f) => f.endsWith(".step"));
    for (const f of after) expect(sha256(await readFile(path.join(out, f))), f).toBe(path.basename(f, ".step"));

    // and, beside it, a file cut short under its final name and a temporary file of a dead run
    const [a] = six();
    const cut = path.join(out, "train", `${a.sha256}.step`);
    const whole = await readFile(path.join(CORPUS, "mfcad", a.name));
    await writeFile(cut, whole.subarray(0, 1000));
    const stray = path.join(out, "train", `${a.sha256}.step.0123456789ab.partial`);
    await writeFile(stray, "half");
    const intact = after.filter((f) => !f.includes(a.sha256)).length;

    const resumed = await facet(["pull", "--snapshot", "v1", "--out", out, "--json"], env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(json(resumed)).toMatchObject({ parts: 6, downloaded: 6 - intact, present: intact, failed: 0 });
    expect((await readFile(cut)).equals(whole)).toBe(true);
    await expect(stat(stray)).rejects.toThrow();
    const again = json(await facet(["pull", "--snapshot", "v1", "--out", out, "--json"], env));
    expect(again).toMatchObject({ downloaded: 0, present: 6, bytesDownloaded: 0 });
  });

  it("exports parquet into a folder with its dataset card; the second run is served from the cache", async () => {
    const out = path.join(work, "export-1");
    const r = await facet(["export", "--snapshot", "v1", "--format", "parquet", "--out", out, "--json"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = json(r);
    expect(s).toMatchObject({ format: "parquet", cached: false });
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    const files = await filesUnder(out);
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.endsWith(".parquet")).length).toBeGreaterThanOrEqual(2);
    expect(files.some((f) => f.includes("train") && f.endsWith(".parquet"))).toBe(true);
    expect(files.some((f) => f.includes("val") && f.endsWith(".parquet"))).toBe(true);
    expect(files.filter((f) => f.startsWith(".facet-export"))).toEqual([]);
    expect(s.files).toBe(files.length);
    expect(await readFile(path.join(out, "README.md"), "utf8")).toContain(v1.checksum);

    const second = await facet(
      ["export", "--snapshot", "v1", "--format", "parquet", "--out", path.join(work, "e2")],
      env,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("served from the cache");
    expect(second.stdout).toContain(`sha256 ${s.sha256} checked`);
    expect(await filesUnder(path.join(work, "e2"))).toEqual(files);
  });

  it("exports labelled STEP that `facet import-labels --format step` reads back to the same labels", async () => {
    const out = path.join(work, "export-step");
    const r = await facet(["export", "--snapshot", "v1", "--format", "step", "--out", out, "--json"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const stepDir = path.join(out, "step");
    expect((await readdir(stepDir)).sort()).toEqual(PARTS.map((p) => `${p}.step`).sort());

    // the labelled files are other files (their faces renamed): pushed as parts of another dataset
    const pushed = await facet(["push", stepDir, "--dataset", "reimported", "--json"], env);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
    expect(json(pushed)).toMatchObject({ files: PARTS.length, new: PARTS.length, failed: 0 });
    const counts = await waitProcessed("reimported", env);
    expect(counts.failed ?? 0, JSON.stringify(counts)).toBe(0);
    const imported = await facet(
      ["import-labels", "--format", "step", stepDir, "--dataset", "reimported", "--json"],
      env,
    );
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(json(imported)).toMatchObject({ format: "step", imported: PARTS.length, failed: 0 });

    const latest = async (id: string) =>
      (
        await call<{ revision: { document: { labels: (string | null)[] } } }>(
          "GET",
          `/api/workspaces/test-shop/parts/${id}/revisions`,
        )
      ).body.revision.document.labels;
    const { body } = await call<{ parts: Array<{ id: string; name: string }> }>(
      "GET",
      "/api/workspaces/test-shop/datasets/reimported/parts",
    );
    expect(body.parts.map((p) => p.name).sort()).toEqual([...known.keys()].sort());
    for (const p of body.parts) {
      const original = known.get(p.name) as Known;
      expect(await latest(p.id), p.name).toEqual(await latest(original.id));
    }

    // the original files name their faces by face id (MFCAD), not by class: refused by name, nothing stored
    const wrong = await facet(
      ["import-labels", "--format", "step", path.join(work, "src"), "--dataset", DATASET, "--json"],
      env,
    );
    expect(wrong.code).toBe(1);
    const summary = json(wrong);
    expect(summary).toMatchObject({ imported: 0, failed: PARTS.length });
    expect(summary.failures[0].message).toMatch(/named 0…\d+, one name each: face ids/);
  }, 900_000);

  it("diffs two snapshots after a part is relabelled and another re-split", async () => {
    const [a, , , , e] = six();
    const { body } = await call<{
      revision: { revisionNo: number; document: { labels: (string | null)[]; [k: string]: unknown } };
    }>("GET", `/api/workspaces/test-shop/parts/${a.id}/revisions`);
    const doc = body.revision.document;
    const from = doc.labels[0] as string;
    const to = [...new Set(DEFAULT_TAXONOMY.featureTypes.map((x) => x.key))].find(
      (k) => k !== from && !doc.labels.includes(k),
    ) as string;
    const changed = doc.labels
      .map((_l, i) => i)
      .filter((i) => doc.labels[i] === from)
      .slice(0, 3);
    expect(changed).toHaveLength(3);
    const labels = doc.labels.map((l, i) => (changed.includes(i) ? to : l));
    const instances = changed.slice(0, 2).map((face, i) => ({ id: `n${i}`, feature: to, faces: [face] }));
    const posted = await call("POST", `/api/workspaces/test-shop/parts/${a.id}/revisions`, {
      document: { ...doc, labels, instances },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(
      (await call("POST", "/api/workspaces/test-shop/parts/split", { partIds: [e.id], split: "train" })).status,
    ).toBe(200);

    // the catalog sees the new instances
    const counted = await facet(["query", "--dataset", DATASET, "--filter", `count=${to}>=2`, "--json"], env);
    expect(jsonLines(counted).map((r) => [r.name, (r.instanceCounts as Record<string, number>)[to]])).toEqual([
      [a.name, 2],
    ]);

    expect((await facet(["snapshot", "create", "v2", "--dataset", DATASET], env)).code).toBe(0);
    const diff = await facet(["snapshot", "diff", "v1", "v2", "--json"], env);
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);
    const dj = json(diff);
    expect(dj.totals).toEqual({ added: 0, removed: 0, relabelled: 1, resplit: 1 });
    expect(dj.relabelled).toEqual([
      expect.objectContaining({ name: a.name, revisionA: body.revision.revisionNo, sameNumbering: true }),
    ]);
    expect(dj.resplit).toEqual([expect.objectContaining({ name: e.name, from: "val", to: "train" })]);
    expect(dj.faceChanges).toEqual(
      expect.arrayContaining([
        { feature: to, gained: 3, lost: 0 },
        { feature: from, gained: 0, lost: 3 },
      ]),
    );
    expect(dj.faceChanges).toHaveLength(2);
    const text = await facet(["snapshot", "diff", "v1", "v2"], env);
    expect(text.stdout).toContain("0 added, 0 removed, 1 relabelled, 1 re-split");
    expect(text.stdout).toContain(`~ ${e.name}: val → train`);
    expect(text.stdout).toMatch(new RegExp(`${to}\\s+\\+3\\s+-0`));
  });

  it("refuses a corrupted file in storage: pull names it and exits 1, verify --deep names it", async () => {
    const [, , victim] = six();
    const blob = path.join(platform.dataDir, blobKey(victim.sha256));
    const fh = await open(blob, "r+");
    await fh.write(Buffer.from("XXXX"), 0, 4, 200); // same length, different bytes
    await fh.close();

    const out = path.join(work, "pull-3");
    const r = await facet(["pull", "--snapshot", "v1", "--out", out, "--json"], env);
    expect(r.code).toBe(1);
    const s = json(r);
    expect(s).toMatchObject({ parts: 6, downloaded: 5, failed: 1 });
    expect(s.failures).toEqual([
      expect.objectContaining({ name: victim.name, sha256: victim.sha256, code: "HASH_MISMATCH" }),
    ]);
    const files = await filesUnder(out);
    expect(files.filter((f) => f.endsWith(".step"))).toHaveLength(5);
    expect(files.some((f) => f.includes(victim.sha256))).toBe(false); // not even its labels: the part is refused
    const text = await facet(["pull", "--snapshot", "v1", "--out", out], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`✗ ${victim.name} (${victim.sha256})`);
    expect(text.stdout).toContain("0 downloaded");

    const deep = await facet(["snapshot", "verify", "v1", "--deep"], env);
    expect(deep.code).toBe(1);
    expect(deep.stdout).toContain("✗ files");
    expect(deep.stdout).toMatch(new RegExp(`part "${victim.name}" \\(${victim.sha256}\\) is damaged`));
    const deepJson = json(await facet(["snapshot", "verify", "v1", "--deep", "--json"], env));
    expect(deepJson.ok).toBe(false);
    expect(deepJson.checks.blobs).toMatchObject({ damaged: 1, missing: 0 });
    expect(deepJson.problems).toHaveLength(1);
  });
});
