import { z } from "zod";
import type { Capability } from "./roles";

/**
 * What an API key may be used for. A key never exceeds its owner's role (row-level security acts as
 * the owner); scopes narrow it further.
 */
export const API_KEY_SCOPES = ["read", "ingest", "label", "review", "curate", "admin"] as const;
export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

/** The scope a key needs for a capability (reading needs `read`). */
export const SCOPE_FOR: Record<Capability, ApiKeyScope> = {
  "members.manage": "admin",
  "schemas.manage": "admin",
  "audit.read": "admin",
  "datasets.create": "ingest",
  "datasets.configure": "ingest",
  "parts.upload": "ingest",
  "parts.claim": "label",
  "parts.review": "review",
  "parts.comment": "label",
  "parts.share": "review",
  "parts.curate": "curate",
};

/** Keys look like `fct_<8-char prefix>_<secret>`; the prefix identifies a key in lists. */
export const API_KEY_PATTERN = /^fct_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{32,64})$/;
