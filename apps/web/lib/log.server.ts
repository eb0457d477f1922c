import "server-only";
import { createLogger } from "@facet/core";

/** The web app's JSON log lines on stdout (the same shape as the listener's and the worker's). */
export const serverLog = createLogger({ process: "web", write: (line) => process.stdout.write(`${line}\n`) });
