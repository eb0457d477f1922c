import os from "node:os";
import path from "node:path";
import { z } from "zod";

/** The CLI's configuration from the environment, parsed once. */
const schema = z.object({
  FACET_URL: z.string().url("FACET_URL must be a URL such as http://localhost:3000").optional(),
  FACET_API_KEY: z.string().min(1).optional(),
  FACET_WORKSPACE: z.string().min(1).optional(),
  XDG_CONFIG_HOME: z.string().min(1).optional(),
  FACET_CONFIG_DIR: z.string().min(1).optional(),
});

export type CliEnv = z.infer<typeof schema> & { configDir: string };

export function parseCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(given);
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  const configDir =
    r.data.FACET_CONFIG_DIR ?? path.join(r.data.XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config"), "facet");
  return { ...r.data, configDir };
}
