import { z } from "zod";

/** Invitation tokens are 32 random bytes in base64url (43 characters). */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not an invitation token");
