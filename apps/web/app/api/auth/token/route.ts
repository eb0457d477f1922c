import { createApiKey, guardPasswordAttempt } from "@facet/auth";
import { API_KEY_SCOPES, emailSchema } from "@facet/core";
import { withUser } from "@facet/db";
import { z } from "zod";
import { json, methods, parseBody, requestContext, route } from "@/lib/api.server";
import { signInLimits } from "@/lib/auth-limits.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const body = z.object({
  email: emailSchema,
  password: z.string().min(1).max(200),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]*$/u)
    .default("facet CLI"),
});

/**
 * Exchange email and password for a personal API key (`facet login`). The key acts as its owner in
 * every workspace they belong to, is stored hashed, and is revoked by `facet logout` or on the web.
 */
const post = route(async (req) => {
  const input = await parseBody(req, body);
  const { pool, auth } = await context();
  const ctx = requestContext(req);
  // no browser session: the key is the credential. Attempts count like sign-ins (same limits, same answers).
  const user = await guardPasswordAttempt({ pool, email: input.email, ip: ctx.ip, limits: signInLimits() }, () =>
    auth.checkPassword({ email: input.email, password: input.password }),
  );
  const claims = { sub: user.userId, role: "authenticated" as const, email: user.email };
  const { key, info } = await withUser(
    pool,
    claims,
    (c) => createApiKey(c, { name: input.name, scopes: [...API_KEY_SCOPES], workspaceId: null }),
    ctx,
  );
  return json({ key, apiKey: info, user: { id: user.userId, email: user.email } }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
