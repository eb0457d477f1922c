import { acceptInvitationAsUser, signUpWithInvitation } from "@facet/auth";
import { emailSchema, passwordSchema } from "@facet/core";
import { z } from "zod";
import { cookieJar, json, methods, parseBody, parseParam, requestContext, requireUser, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";
import { invitationTokenSchema } from "@/lib/schemas";

export const dynamic = "force-dynamic";

const body = z
  .object({
    email: emailSchema.optional(),
    password: passwordSchema.optional(),
    displayName: z.string().trim().max(80).optional(),
  })
  .refine((b) => Boolean(b.email) === Boolean(b.password), {
    message: "give both email and password to create an account, or neither when signed in",
    path: ["password"],
  });

/** Join with a link: signed in already (empty body), or create an account (email + password). */
const post = route<{ token: string }>(async (req, params) => {
  const token = parseParam(params.token, invitationTokenSchema, "token");
  const input = await parseBody(req, body);
  const { pool, auth } = await context();
  const ctx = requestContext(req);
  if (input.email && input.password) {
    const { email, password, displayName } = input;
    const r = await signUpWithInvitation({
      pool,
      auth,
      token,
      email,
      password,
      ...(displayName ? { displayName } : {}),
      jar: await cookieJar(),
      ctx,
    });
    return json({ workspaceId: r.workspaceId, slug: r.slug, role: r.role, alreadyMember: r.alreadyMember }, 201);
  }
  const claims = await requireUser(req);
  const r = await acceptInvitationAsUser({ pool, claims, token, ctx });
  return json({ workspaceId: r.workspaceId, slug: r.slug, role: r.role, alreadyMember: r.alreadyMember });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
