import { createApiKey, listApiKeys } from "@facet/auth";
import { AppError, apiKeyScopeSchema, roleCan } from "@facet/core";
import { getWorkspaceForMember, withUser } from "@facet/db";
import { z } from "zod";
import { json, methods, parseBody, requestContext, requireCaller, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const body = z.object({
  name: z
    .string()
    .trim()
    .min(1, "a name is required")
    .max(100)
    .regex(/^[^\p{Cc}]*$/u, "no control characters"),
  scopes: z.array(apiKeyScopeSchema).min(1, "give at least one scope"),
  /** A workspace (slug or id) binds the key to it and needs an admin; without, the key is personal. */
  workspace: z.string().min(1).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

const get = route(async (req) => {
  const caller = await requireCaller(req);
  const { pool } = await context();
  return json({ apiKeys: await withUser(pool, caller.claims, (c) => listApiKeys(c, null)) });
});

/**
 * `facet api-key create`: a scoped key, shown once. Made with an API key (the CLI's personal key),
 * it needs that key's `admin` scope and stays within it: the same workspace binding (a personal key
 * may bind the new one to a workspace), some of its scopes, no later expiry. The database checks the
 * same (decisions: "API keys made with API keys").
 */
const post = route(async (req) => {
  const caller = await requireCaller(req);
  const input = await parseBody(req, body);
  const parent = caller.apiKey;
  if (parent) {
    if (!parent.scopes.includes("admin")) {
      throw new AppError("SCOPE_REQUIRED", 'creating API keys with an API key needs the scope "admin"');
    }
    const extra = input.scopes.filter((s) => !parent.scopes.includes(s));
    if (extra.length > 0) {
      throw new AppError(
        "SCOPE_REQUIRED",
        `a key creates keys with its own scopes only (${parent.scopes.join(", ")}); not ${extra.join(", ")}`,
      );
    }
    if (parent.workspaceId && !input.workspace) input.workspace = parent.workspaceId;
  }
  const { pool } = await context();
  const created = await withUser(
    pool,
    caller.claims,
    async (c) => {
      let workspaceId: string | null = null;
      if (input.workspace) {
        const ws = await getWorkspaceForMember(c, input.workspace);
        if (parent?.workspaceId && ws.id !== parent.workspaceId) {
          throw new AppError("FORBIDDEN", "a key bound to a workspace creates keys for that workspace only");
        }
        if (!roleCan(ws.role, "members.manage")) {
          throw new AppError("ROLE_REQUIRED", "only admins create API keys for a workspace");
        }
        workspaceId = ws.id;
      }
      return createApiKey(c, {
        name: input.name,
        scopes: input.scopes,
        workspaceId,
        ...(input.expiresInDays ? { expiresInDays: input.expiresInDays } : {}),
      });
    },
    { ...requestContext(req), actorKind: caller.apiKey ? "api_key" : "user" },
  );
  return json({ key: created.key, apiKey: created.info }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
