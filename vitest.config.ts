import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure, fast) and `db` (against a real embedded PostgreSQL started once by
// the global setup; each test file gets its own database cloned from a migrated template).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "workers/src/**/*.test.ts",
            "apps/web/lib/**/*.test.ts",
            "apps/web/components/**/*.test.ts",
            "apps/web/server/**/*.test.ts",
            "apps/launcher/src/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          exclude: ["**/*.db.test.ts", "**/*.platform.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "db",
          include: ["packages/*/src/**/*.db.test.ts", "workers/src/**/*.db.test.ts", "apps/web/lib/**/*.db.test.ts"],
          globalSetup: ["packages/db/src/testing/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "platform",
          include: ["packages/*/src/**/*.platform.test.ts", "apps/launcher/src/**/*.platform.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
