import { AppError, DEFAULT_TAXONOMY, slugify } from "@facet/core";
import { type Claims, createWorkspace, type Pool, type WorkspaceSummary, withUser } from "@facet/db";
import { assertStrongPassword } from "../password-policy";
import type { AuthProvider, SignedIn } from "../provider";

export interface SetUpFirstAdminInput {
  pool: Pool;
  auth: AuthProvider;
  email: string;
  password: string;
  workspaceName: string;
  displayName?: string;
}

export async function hasAnyUser(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ any: boolean }>("select exists (select 1 from auth.users) as any");
  return rows[0]?.any ?? false;
}

/**
 * The first account of a fresh installation becomes admin of a first workspace. Refused once
 * any account exists (ALREADY_SET_UP): from then on people join through invitation links.
 */
export async function setUpFirstAdmin(
  input: SetUpFirstAdminInput,
): Promise<{ user: SignedIn; workspace: WorkspaceSummary }> {
  assertStrongPassword(input.password, [input.email, input.displayName, input.workspaceName]);
  const lock = await input.pool.connect();
  try {
    await lock.query("select pg_advisory_lock(hashtext('facet.setup'))");
    if (await hasAnyUser(input.pool)) {
      throw new AppError("ALREADY_SET_UP", "Facet is already set up: sign in, or ask an admin for an invitation");
    }
    const user = await input.auth.createUser({
      email: input.email,
      password: input.password,
      ...(input.displayName ? { displayName: input.displayName } : {}),
    });
    const claims: Claims = { sub: user.userId, role: "authenticated", email: user.email };
    const workspace = await withUser(input.pool, claims, (c) =>
      createWorkspace(c, { name: input.workspaceName, slug: slugify(input.workspaceName), taxonomy: DEFAULT_TAXONOMY }),
    );
    return { user, workspace };
  } finally {
    await lock.query("select pg_advisory_unlock(hashtext('facet.setup'))").catch(() => {});
    lock.release();
  }
}
