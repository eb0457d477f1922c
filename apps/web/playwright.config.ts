import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

// The browser tests run against the real platform started by `npm start`'s own launcher, on a
// fresh data folder and its own ports, in Debian's Chromium (WebGL through SwiftShader).
process.env.FACET_E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), "facet-e2e-"));
const port = Number(process.env.FACET_E2E_PORT ?? 3210);
const pgPort = Number(process.env.FACET_E2E_PG_PORT ?? 54410);
const baseURL = `http://localhost:${port}`;
// A second pre-labeler beside the built-in rules: a model served over HTTP that e2e/prelabel.spec.ts
// starts on this port while it runs (elsewhere nothing answers there, and the part keeps the rules' labels).
// `npm test` chooses it below the kernel's ephemeral range (an outgoing connection could take any other
// port in the minutes before the spec binds it); by hand it defaults to the web port + 7.
process.env.FACET_E2E_MODEL_PORT ??= String(port + 7);
// The operator's token for Prometheus scrapes of /api/metrics (e2e/metrics.spec.ts scrapes with it).
process.env.FACET_E2E_METRICS_TOKEN ??= "e2e-metrics-token-0123456789abcdef";
const prelabelers = [
  { kind: "rules" },
  {
    kind: "remote",
    id: "e2e-model",
    version: "1",
    url: `http://127.0.0.1:${process.env.FACET_E2E_MODEL_PORT}/predict`,
    retries: 0,
    timeoutMs: 10_000,
  },
];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: path.join(root, ".test-results/playwright.json") }]],
  outputDir: path.join(root, ".test-results/playwright"),
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.FACET_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: `node ${path.join(root, "scripts/start.mjs")}`,
    cwd: root,
    url: `${baseURL}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    gracefulShutdown: { signal: "SIGINT", timeout: 30_000 },
    env: {
      PORT: String(port),
      FACET_PG_PORT: String(pgPort),
      FACET_DATA_DIR: process.env.FACET_E2E_DATA_DIR,
      FACET_ADMIN_EMAIL: "",
      FACET_ADMIN_PASSWORD: "",
      FACET_PRELABELERS: JSON.stringify(prelabelers),
      // as if one reverse proxy stood in front: tests can then present clients from distinct addresses
      // (X-Forwarded-For) to the per-address limits. What happens without a proxy (forged headers
      // dropped) is tested on `npm start`'s defaults in packages/launcher/src/launcher.platform.test.ts.
      FACET_TRUSTED_PROXIES: "1",
      // a fifth of the default API budget (1200 a minute, 20/s sustained), so that a test can spend it
      FACET_RATE_LIMIT_API: "1200/60",
      FACET_METRICS_TOKEN: process.env.FACET_E2E_METRICS_TOKEN,
    },
  },
});
