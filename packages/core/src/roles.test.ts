import { describe, expect, it } from "vitest";
import {
  CAPABILITIES,
  type Capability,
  MEMBER_ROLES,
  type MemberRole,
  memberRoleSchema,
  navSectionsFor,
  ROLE_LABELS,
  roleCan,
  roleInSentence,
} from "./roles";

/** The expected matrix, written out by hand: a change to CAPABILITIES must be a change here too. */
const EXPECTED: Record<MemberRole, Capability[]> = {
  admin: [
    "members.manage",
    "schemas.manage",
    "datasets.create",
    "datasets.configure",
    "parts.upload",
    "parts.claim",
    "parts.review",
    "parts.comment",
    "parts.share",
    "parts.curate",
    "audit.read",
  ],
  engineer: [
    "datasets.create",
    "datasets.configure",
    "parts.upload",
    "parts.claim",
    "parts.review",
    "parts.comment",
    "parts.share",
  ],
  annotator: ["parts.claim", "parts.comment"],
  ml_engineer: ["datasets.create", "parts.comment", "parts.curate"],
  viewer: [],
};

const ALL_CAPABILITIES = Object.keys(CAPABILITIES) as Capability[];

describe("roles", () => {
  it("are the five of the architecture, each with a label", () => {
    expect([...MEMBER_ROLES]).toEqual(["admin", "engineer", "annotator", "ml_engineer", "viewer"]);
    expect(Object.keys(ROLE_LABELS).sort()).toEqual([...MEMBER_ROLES].sort());
    for (const r of MEMBER_ROLES) expect(memberRoleSchema.parse(r)).toBe(r);
    for (const bad of ["Admin", "owner", "", "ml-engineer"])
      expect(memberRoleSchema.safeParse(bad).success).toBe(false);
  });

  it("CAPABILITIES only name real roles, each once", () => {
    for (const [cap, roles] of Object.entries(CAPABILITIES)) {
      for (const r of roles) expect(MEMBER_ROLES as readonly string[], cap).toContain(r);
      expect(new Set(roles).size, cap).toBe(roles.length);
    }
  });

  it("admin can do everything", () => {
    for (const c of ALL_CAPABILITIES) expect(roleCan("admin", c), c).toBe(true);
  });
});

describe("roleCan", () => {
  it.each(MEMBER_ROLES)("matches the expected matrix for %s", (role) => {
    const granted = ALL_CAPABILITIES.filter((c) => roleCan(role, c));
    expect(granted.sort()).toEqual([...EXPECTED[role]].sort());
  });

  it("keeps the sensitive capabilities to admins", () => {
    for (const c of ["members.manage", "schemas.manage", "audit.read"] as const) {
      expect(MEMBER_ROLES.filter((r) => roleCan(r, c))).toEqual(["admin"]);
    }
  });

  it("leaves the labelling queue's settings to those who run labelling: admins and engineers", () => {
    expect(MEMBER_ROLES.filter((r) => roleCan(r, "datasets.configure"))).toEqual(["admin", "engineer"]);
    // ML engineers create and curate datasets, but do not configure how their queue is served
    expect(roleCan("ml_engineer", "datasets.create")).toBe(true);
    expect(roleCan("ml_engineer", "datasets.configure")).toBe(false);
  });

  it("lets a viewer do nothing", () => {
    for (const c of ALL_CAPABILITIES) expect(roleCan("viewer", c), c).toBe(false);
  });
});

describe("navSectionsFor", () => {
  it.each([
    ["admin", ["queue", "review", "catalog", "snapshots", "admin"]],
    ["engineer", ["queue", "review", "catalog", "snapshots"]],
    ["annotator", ["queue", "catalog", "snapshots"]],
    ["ml_engineer", ["catalog", "snapshots"]],
    ["viewer", ["catalog", "snapshots"]],
  ] as const)("%s sees %j", (role, sections) => {
    expect(navSectionsFor(role)).toEqual(sections);
  });

  it("always includes the catalog and the snapshots and never repeats a section", () => {
    for (const r of MEMBER_ROLES) {
      const s = navSectionsFor(r);
      expect(s).toContain("catalog");
      expect(s).toContain("snapshots");
      expect(new Set(s).size).toBe(s.length);
    }
  });

  it("returns a fresh array each call", () => {
    const a = navSectionsFor("viewer");
    a.push("admin");
    expect(navSectionsFor("viewer")).toEqual(["catalog", "snapshots"]);
  });
});

describe("roleInSentence", () => {
  it("writes a role as a sentence needs it, keeping the acronym of ML engineer", () => {
    expect(MEMBER_ROLES.map(roleInSentence)).toEqual([
      "an admin",
      "an engineer",
      "an annotator",
      "an ML engineer",
      "a viewer",
    ]);
  });
});
