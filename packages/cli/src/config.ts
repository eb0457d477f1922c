import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const configSchema = z.object({ url: z.string().url(), key: z.string().min(1), email: z.string().optional() });
export type StoredLogin = z.infer<typeof configSchema>;

const file = (dir: string) => path.join(dir, "config.json");

export async function loadLogin(dir: string): Promise<StoredLogin | null> {
  try {
    return configSchema.parse(JSON.parse(await readFile(file(dir), "utf8")));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`${file(dir)} is damaged (${(e as Error).message}); run facet login again`);
  }
}

/** The token is a secret: the file is readable by its owner only. */
export async function saveLogin(dir: string, login: StoredLogin): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file(dir), `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  return file(dir);
}

export async function forgetLogin(dir: string): Promise<void> {
  await rm(file(dir), { force: true });
}
