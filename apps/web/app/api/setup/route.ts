import { hasAnyUser, setUpFirstAdmin } from "@facet/auth";
import { emailSchema, passwordSchema, workspaceNameSchema } from "@facet/core";
import { z } from "zod";
import { cookieJar, json, methods, parseBody, requestContext, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

const body = z.object({
  email: emailSchema,
  password: passwordSchema,
  workspaceName: workspaceNameSchema,
  displayName: z.string().trim().max(80).optional(),
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({
  GET: route(async () => json({ needsSetup: !(await hasAnyUser((await context()).pool)) })),

  /** Create the first admin and workspace of a fresh installation, and sign them in. */
  POST: route(async (req) => {
    const input = await parseBody(req, body);
    const { pool, auth } = await context();
    const { user, workspace } = await setUpFirstAdmin({ pool, auth, ...input });
    await auth.signIn({ email: input.email, password: input.password }, await cookieJar(), requestContext(req));
    return json({ user: { id: user.userId, email: user.email }, workspace }, 201);
  }),
});
