import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const secretsSchema = z.object({
  jwtSecret: z.string().min(32),
  blobUrlSecret: z.string().min(32),
  pgPassword: z.string().min(16),
});
export type Secrets = z.infer<typeof secretsSchema>;

/** Secrets of this installation, created on first start and kept in the data folder (mode 600). */
export async function loadOrCreateSecrets(dataDir: string): Promise<Secrets> {
  const file = path.join(dataDir, "secrets.json");
  try {
    return secretsSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`${file} is unreadable or damaged (${(e as Error).message}); restore it from a backup`);
    }
  }
  const secrets: Secrets = {
    jwtSecret: randomBytes(48).toString("base64url"),
    blobUrlSecret: randomBytes(48).toString("base64url"),
    pgPassword: randomBytes(24).toString("base64url"),
  };
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  return secrets;
}
