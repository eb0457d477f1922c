import { signIn } from "@facet/auth";
import { emailSchema } from "@facet/core";
import { listMyWorkspaces, withUser } from "@facet/db";
import { z } from "zod";
import { cookieJar, json, methods, parseBody, requestContext, route } from "@/lib/api.server";
import { signInLimits } from "@/lib/auth-limits.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const body = z.object({ email: emailSchema, password: z.string().min(1, "enter your password").max(200) });

/**
 * Start a browser session. Wrong passwords are limited per account and per address (429
 * RATE_LIMITED with Retry-After); an unknown email, a wrong password and a deactivated account all
 * answer INVALID_CREDENTIALS. `workspaces` is empty for an account that belongs to none any more.
 */
const post = route(async (req) => {
  const input = await parseBody(req, body);
  const { pool, auth } = await context();
  const user = await signIn({
    pool,
    auth,
    ...input,
    jar: await cookieJar(),
    ctx: requestContext(req),
    limits: signInLimits(),
  });
  const workspaces = await withUser(pool, { sub: user.userId, role: "authenticated", email: user.email }, (c) =>
    listMyWorkspaces(c),
  );
  return json({ user: { id: user.userId, email: user.email }, workspaces });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
