import { randomToken, sha256Hex } from "@facet/auth";
import { emailSchema, memberRoleSchema } from "@facet/core";
import { createInvitation, listInvitations } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";
import { env } from "@/lib/env.server";

export const dynamic = "force-dynamic";

const get = route<{ ws: string }>(async (req, { ws }) => {
  const { workspace, run } = await inWorkspace(req, ws, "members.manage");
  return json({ invitations: await run((c) => listInvitations(c, workspace.id)) });
});

const body = z.object({
  role: memberRoleSchema,
  email: emailSchema.optional(),
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
  maxUses: z.number().int().min(1).max(1000).default(1),
});

/** Create an invitation link. The token is shown once; only its SHA-256 is stored. */
const post = route<{ ws: string }>(async (req, { ws }) => {
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, ws, "members.manage");
  const token = randomToken();
  const created = await run((c) =>
    createInvitation(c, {
      workspaceId: workspace.id,
      tokenHash: sha256Hex(token),
      ...input,
      email: input.email ?? null,
    }),
  );
  const url = new URL(`/invite/${token}`, env().FACET_PUBLIC_URL).toString();
  return json(
    { invitation: { ...created, role: input.role, email: input.email ?? null, maxUses: input.maxUses }, url, token },
    201,
  );
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
