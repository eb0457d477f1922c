#!/usr/bin/env node
// The `facet` command. Sources are TypeScript, run through tsx.
import { register } from "tsx/esm/api";

register();
const { run } = await import("../src/main.ts");
process.exitCode = await run(process.argv.slice(2));
