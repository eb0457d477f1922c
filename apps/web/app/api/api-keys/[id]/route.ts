import { revokeApiKey } from "@facet/auth";
import { AppError, uuidSchema } from "@facet/core";
import { withUser } from "@facet/db";
import { json, methods, parseParam, requestContext, requireCaller, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/** Revoke a key: its owner, or an admin of the workspace it is bound to. `current` is the calling key. */
const remove = route<{ id: string }>(async (req, params) => {
  const caller = await requireCaller(req);
  let id: string;
  if (params.id === "current") {
    if (!caller.apiKey) throw new AppError("BAD_REQUEST", "this request is not authenticated by an API key");
    id = caller.apiKey.id;
  } else {
    id = parseParam(params.id, uuidSchema, "id");
  }
  // with a key: itself, or (scope admin) another key within its reach (the database shows a bound key
  // only keys of its own workspace)
  if (caller.apiKey && id !== caller.apiKey.id && !caller.apiKey.scopes.includes("admin")) {
    throw new AppError("SCOPE_REQUIRED", 'revoking another key with an API key needs the scope "admin"');
  }
  const { pool } = await context();
  await withUser(pool, caller.claims, (c) => revokeApiKey(c, id), {
    ...requestContext(req),
    actorKind: caller.apiKey ? "api_key" : "user",
  });
  return json({ revoked: id });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ DELETE: remove });
