import { describe, expect, it } from "vitest";
import {
  emailSchema,
  passwordSchema,
  safeRedirectPath,
  slugify,
  slugSchema,
  uuidSchema,
  wellFormedPrefix,
  workspaceNameSchema,
} from "./validation";

describe("slugify", () => {
  it.each([
    ["Acme Machining", "acme-machining"],
    ["Crème Brûlée Ltd.", "creme-brulee-ltd"],
    ["Ångström Čapek Ñandú", "angstrom-capek-nandu"],
    ["Zürich — Fräsen & Drehen", "zurich-frasen-drehen"],
    ["C++ / CNC #1", "c-cnc-1"],
    ["  --Leading and trailing--  ", "leading-and-trailing"],
    ["ＦＵＬＬＷＩＤＴＨ ２０２６", "fullwidth-2026"],
    ["already-a-slug", "already-a-slug"],
    ["MiXeD CaSe 42", "mixed-case-42"],
    ["a___b...c", "a-b-c"],
  ])("%j -> %j", (input, slug) => {
    expect(slugify(input)).toBe(slug);
  });

  it.each(["", "   ", "!!!", "---", "日本語", "🙂🙂", "\u0301\u0301"])("falls back to 'workspace' for %j", (input) => {
    expect(slugify(input)).toBe("workspace");
  });

  it("cuts at 48 characters", () => {
    expect(slugify("a".repeat(100))).toBe("a".repeat(48));
    expect(slugify("a".repeat(48))).toBe("a".repeat(48));
  });

  it("never ends with a dash after cutting", () => {
    // the 48th character would be the dash between the words
    const s = slugify(`${"a".repeat(47)} bbbb`);
    expect(s).toBe("a".repeat(47));
    expect(s.endsWith("-")).toBe(false);
    // a run of separators collapses to one dash before the cut, so the next word still fits
    expect(slugify(`${"x".repeat(46)} !! yyyy`)).toBe(`${"x".repeat(46)}-y`);
    // and a run right at the cut leaves no dash behind
    expect(slugify(`${"x".repeat(47)} -- !! yyyy`)).toBe("x".repeat(47));
  });

  it("always produces a slug the schema (and the database check) accepts", () => {
    const samples = [
      "Hello World",
      "-".repeat(60),
      `${"ab-".repeat(30)}`,
      `${"é".repeat(60)}`,
      "x",
      "9 lives",
      `${"a".repeat(47)}-`,
      `${"a ".repeat(40)}`,
      "Ⅻ roman ﬁ ligature",
    ];
    // plus deterministic pseudo-random strings over a nasty alphabet
    const alphabet = "aZ9 -_.éÉßø日🙂\u0301\t/";
    let seed = 42;
    for (let i = 0; i < 300; i++) {
      let s = "";
      const len = i % 80;
      for (let j = 0; j < len; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        s += [...alphabet][seed % [...alphabet].length];
      }
      samples.push(s);
    }
    for (const s of samples) {
      const slug = slugify(s);
      expect(slug.length, s).toBeLessThanOrEqual(48);
      expect(slugSchema.safeParse(slug).success, `${JSON.stringify(s)} -> ${slug}`).toBe(true);
    }
  });
});

describe("slugSchema", () => {
  it("accepts 1 to 48 lowercase letters, digits and inner dashes", () => {
    for (const ok of ["a", "0", "ab", "a-b", "a--b", "a".repeat(48)])
      expect(slugSchema.safeParse(ok).success, ok).toBe(true);
  });
  it("rejects everything else", () => {
    for (const bad of ["", "-a", "a-", "A", "a_b", "a b", "a".repeat(49), "é", "a\n"]) {
      expect(slugSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("emailSchema", () => {
  it("trims and lowercases", () => {
    expect(emailSchema.parse("  Alice.Smith@Example.COM \n")).toBe("alice.smith@example.com");
    expect(emailSchema.parse("bob+facet@sub.example.co.uk")).toBe("bob+facet@sub.example.co.uk");
  });

  it.each([
    "",
    "   ",
    "not-an-email",
    "@example.com",
    "alice@",
    "alice@@example.com",
    "alice smith@example.com",
    "alice@exa mple.com",
    "alice@example",
    "alice.@example.com",
    "<script>@example.com",
  ])("rejects %j", (bad) => {
    expect(emailSchema.safeParse(bad).success).toBe(false);
  });

  it("rejects non-strings", () => {
    for (const bad of [null, undefined, 42, {}, ["a@b.co"]]) expect(emailSchema.safeParse(bad).success).toBe(false);
  });

  it("rejects addresses longer than 254 characters (after trimming)", () => {
    const domain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.com`; // 185
    const at254 = `${"a".repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254.length).toBe(254);
    expect(emailSchema.safeParse(at254).success).toBe(true);
    expect(emailSchema.safeParse(`  ${at254}  `).success).toBe(true);
    expect(emailSchema.safeParse(`a${at254}`).success).toBe(false);
  });

  it("gives people a readable message", () => {
    const r = emailSchema.safeParse("nope");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("enter a valid email address");
  });
});

describe("passwordSchema", () => {
  it("accepts 10 to 200 characters", () => {
    expect(passwordSchema.safeParse("x".repeat(10)).success).toBe(true);
    expect(passwordSchema.safeParse("x".repeat(200)).success).toBe(true);
    expect(passwordSchema.safeParse("correct horse battery staple").success).toBe(true);
  });

  it("rejects 9 and 201 characters with the documented messages", () => {
    const short = passwordSchema.safeParse("x".repeat(9));
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toBe("passwords need at least 10 characters");
    const long = passwordSchema.safeParse("x".repeat(201));
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.message).toBe("passwords are at most 200 characters");
  });

  it("does not trim: spaces are characters of the password", () => {
    expect(passwordSchema.parse("  padded 10  ")).toBe("  padded 10  ");
  });

  it("rejects non-strings", () => {
    for (const bad of [null, undefined, 1234567890, ["x".repeat(10)]])
      expect(passwordSchema.safeParse(bad).success).toBe(false);
  });
});

describe("workspaceNameSchema and uuidSchema", () => {
  it("trims names and bounds them to 1..80", () => {
    expect(workspaceNameSchema.parse("  Acme  ")).toBe("Acme");
    expect(workspaceNameSchema.safeParse("   ").success).toBe(false);
    expect(workspaceNameSchema.safeParse("n".repeat(80)).success).toBe(true);
    expect(workspaceNameSchema.safeParse("n".repeat(81)).success).toBe(false);
  });

  it("accepts UUIDs and rejects junk", () => {
    expect(uuidSchema.safeParse("7c9e6679-7425-40de-944b-e07fc1f90ae7").success).toBe(true);
    expect(uuidSchema.safeParse("7c9e6679742540de944be07fc1f90ae7").success).toBe(false);
    expect(uuidSchema.safeParse("not-a-uuid").success).toBe(false);
  });
});

describe("safeRedirectPath", () => {
  it("keeps paths of this site, with their query and fragment", () => {
    expect(safeRedirectPath("/w/acme/queue")).toBe("/w/acme/queue");
    expect(safeRedirectPath("/w/acme/datasets/50%25%20done?x=1#top")).toBe("/w/acme/datasets/50%25%20done?x=1#top");
    expect(safeRedirectPath("/")).toBe("/");
  });

  it.each([
    ["//evil.example"],
    ["/\\evil.example"],
    ["/%5Cevil.example"],
    ["/%5cevil.example/x"],
    ["/%2F%2Fevil.example"],
    ["/%2fevil.example"],
    ["\\\\evil.example"],
    ["https://evil.example/"],
    ["javascript:alert(1)"],
    ["evil.example"],
    ["/\tevil"],
    ["/x\u0000y"],
    ["/%00"],
    ["/%E0%A4%A"],
    [""],
  ])("refuses %j (another origin, a scheme, control characters or a malformed escape)", (next) => {
    expect(safeRedirectPath(next)).toBe("/");
    expect(safeRedirectPath(next, "/w/acme")).toBe("/w/acme");
  });

  it("refuses non-strings and absurd lengths", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath(["/w"])).toBe("/");
    expect(safeRedirectPath(`/${"a".repeat(3000)}`)).toBe("/");
  });
});

describe("wellFormedPrefix", () => {
  it("cuts at the length and replaces lone surrogates, keeping pairs whole", () => {
    expect(wellFormedPrefix("\ud800.step")).toBe("\ufffd.step");
    expect(wellFormedPrefix("a\udc00\ud800b")).toBe("a\ufffd\ufffdb");
    expect(wellFormedPrefix("gear 😀.step")).toBe("gear 😀.step");
    // a cut through a pair leaves half of it: replaced, so that UTF-8 (and PostgreSQL) can hold the text
    expect(wellFormedPrefix("ab😀", 3)).toBe("ab\ufffd");
    expect(wellFormedPrefix("plain", 3)).toBe("pla");
  });
});
