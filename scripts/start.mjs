// `npm start`: install what is missing, build what changed, then run the whole platform
// (embedded PostgreSQL, migrations, job worker, web app) on embedded defaults.
import { checkNode, ensureDependencies, ensureWebBuild } from "./lib/bootstrap.mjs";

checkNode();
try {
  ensureDependencies();
  ensureWebBuild();
} catch (e) {
  console.error(`\nfacet: set-up failed: ${e.message}`);
  process.exit(1);
}
process.env.NEXT_TELEMETRY_DISABLED = "1";
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../apps/launcher/src/main.ts");
try {
  await main();
} catch (e) {
  console.error(`facet: ${e.message}`);
  process.exit(1);
}
