// Runs in the browser before the app's own code.
import { z } from "zod";

// Zod compiles object parsers with `new Function` where it may, and probes for that with an eval.
// The pages' Content-Security-Policy allows no eval (proxy.ts), so the probe would be reported as a
// violation each time: parse without compiling instead (the difference is negligible for our forms).
z.config({ jitless: true });
