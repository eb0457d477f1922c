import { withUser } from "@facet/db";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { authenticateApiKey, createApiKey, LAST_USED_PRECISION_SECONDS, revokeApiKey } from "./api-keys";

describe("API keys (real database)", () => {
  let db: TestDatabase;
  let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    w = await createWorkspaceWithRoles(db.owner, "keys");
  });
  afterAll(() => db.drop());

  /** The key's row: when it was last used, and the transaction that last wrote it (xmin). */
  const row = async (id: string) =>
    (
      await db.owner.query<{ last_used_at: Date | null; xmin: string }>(
        "select last_used_at, xmin::text from public.api_keys where id = $1",
        [id],
      )
    ).rows[0];

  it("records when a key was last used, writing at most once a minute however often it is used", async () => {
    const { key, info } = await withUser(
      db.owner,
      w.users.admin.claims,
      (c) => createApiKey(c, { name: "script", scopes: ["read"], workspaceId: w.workspaceId }),
      { workspaceId: w.workspaceId },
    );
    expect((await row(info.id))?.last_used_at).toBeNull();

    const caller = await authenticateApiKey(db.owner, key);
    expect(caller).toMatchObject({
      claims: { sub: w.users.admin.id, api_key_id: info.id, facet_workspace_id: w.workspaceId },
      apiKey: { id: info.id, workspaceId: w.workspaceId, scopes: ["read"] },
    });
    const first = await row(info.id);
    expect(first?.last_used_at).toBeInstanceOf(Date);

    // used again at once, many times: the row is not written again
    for (let i = 0; i < 5; i++) await authenticateApiKey(db.owner, key);
    expect(await row(info.id)).toEqual(first);

    // a minute later, the next use is recorded
    await db.owner.query(
      `update public.api_keys set last_used_at = now() - interval '${LAST_USED_PRECISION_SECONDS + 1} seconds' where id = $1`,
      [info.id],
    );
    await authenticateApiKey(db.owner, key);
    const later = await row(info.id);
    expect(Date.now() - (later?.last_used_at?.getTime() ?? 0)).toBeLessThan(30_000);

    // revoked: refused, and nothing written
    await withUser(db.owner, w.users.admin.claims, (c) => revokeApiKey(c, info.id), { workspaceId: w.workspaceId });
    const revoked = await row(info.id);
    await expect(authenticateApiKey(db.owner, key)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    expect((await row(info.id))?.last_used_at).toEqual(revoked?.last_used_at);
  });
});
