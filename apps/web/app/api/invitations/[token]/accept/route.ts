import { acceptInvitationAsUser, signUpWithInvitation } from "@facet/auth";
import { emailSchema } from "@facet/core";
import { z } from "zod";
import {
  cookieJar,
  json,
  methods,
  parseBody,
  parseParam,
  requestContext,
  requirePerson,
  route,
} from "@/lib/api.server";
import { limitInvitations, signInLimits } from "@/lib/auth-limits.server";
import { context } from "@/lib/context.server";
import { invitationTokenSchema } from "@/lib/schemas";

export const dynamic = "force-dynamic";

const body = z
  .object({
    email: emailSchema.optional(),
    // an existing account joins with its own password, whatever its length; new ones are checked
    password: z.string().min(1).max(200).optional(),
    displayName: z.string().trim().max(80).optional(),
  })
  .refine((b) => Boolean(b.email) === Boolean(b.password), {
    message: "give both email and password to create an account, or neither when signed in",
    path: ["password"],
  });

/**
 * Join with a link: signed in already (empty body), or with an email and a password: a new account
 * (its password must be strong), or an existing one (its own password; a removed member comes back
 * this way). Limited per client address; password attempts count like sign-ins.
 */
const post = route<{ token: string }>(async (req, params) => {
  const token = parseParam(params.token, invitationTokenSchema, "token");
  const input = await parseBody(req, body);
  const { pool, auth } = await context();
  const ctx = requestContext(req);
  await limitInvitations(req);
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
      limits: signInLimits(),
    });
    return json({ workspaceId: r.workspaceId, slug: r.slug, role: r.role, alreadyMember: r.alreadyMember }, 201);
  }
  // joining is a person's act: never an API key's
  const { claims } = await requirePerson(req, null);
  const r = await acceptInvitationAsUser({ pool, claims, token, ctx });
  return json({ workspaceId: r.workspaceId, slug: r.slug, role: r.role, alreadyMember: r.alreadyMember });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
