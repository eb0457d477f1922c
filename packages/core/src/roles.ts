import { z } from "zod";

export const MEMBER_ROLES = ["admin", "engineer", "annotator", "ml_engineer", "viewer"] as const;
export const memberRoleSchema = z.enum(MEMBER_ROLES);
export type MemberRole = z.infer<typeof memberRoleSchema>;

export const ROLE_LABELS: Record<MemberRole, string> = {
  admin: "Admin",
  engineer: "Engineer",
  annotator: "Annotator",
  ml_engineer: "ML engineer",
  viewer: "Viewer",
};

/**
 * A role's name inside a sentence ("as an annotator", "as an ML engineer"): lower case, except for
 * a leading acronym, with its article.
 */
export function roleInSentence(role: MemberRole): string {
  const label = ROLE_LABELS[role];
  const noun = /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
  const vowelSound = /^[aeiou]/i.test(noun) || /^[FHLMNRSX][A-Z]/.test(noun);
  return `${vowelSound ? "an" : "a"} ${noun}`;
}

/**
 * What each role may do, as the API checks it. Row-level security in the database
 * enforces the same rules a second time (supabase/migrations); a test holds the two together.
 */
export const CAPABILITIES = {
  "members.manage": ["admin"],
  "schemas.manage": ["admin"],
  "datasets.create": ["admin", "engineer", "ml_engineer"],
  // how a dataset's labelling queue is served (pre-labelling, queue order, annotations per part, parts
  // held at once): set by those who run labelling; ML engineers create and curate datasets, not their queue
  "datasets.configure": ["admin", "engineer"],
  "parts.upload": ["admin", "engineer"],
  "parts.claim": ["admin", "engineer", "annotator"],
  "parts.review": ["admin", "engineer"],
  "parts.comment": ["admin", "engineer", "annotator", "ml_engineer"],
  "parts.share": ["admin", "engineer"],
  "parts.curate": ["admin", "ml_engineer"],
  "audit.read": ["admin"],
} as const satisfies Record<string, readonly MemberRole[]>;

export type Capability = keyof typeof CAPABILITIES;

export function roleCan(role: MemberRole, capability: Capability): boolean {
  return (CAPABILITIES[capability] as readonly MemberRole[]).includes(role);
}

/** The views a role sees in the navigation. */
export type NavSection = "queue" | "review" | "catalog" | "snapshots" | "admin";

export function navSectionsFor(role: MemberRole): NavSection[] {
  const out: NavSection[] = [];
  if (roleCan(role, "parts.claim")) out.push("queue");
  if (roleCan(role, "parts.review")) out.push("review");
  out.push("catalog");
  // frozen snapshots are read by every member (only curators freeze and export them)
  out.push("snapshots");
  if (roleCan(role, "members.manage")) out.push("admin");
  return out;
}
