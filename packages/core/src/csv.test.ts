import { describe, expect, it } from "vitest";
import { csvLine } from "./csv";

describe("csvLine", () => {
  it("quotes what needs quoting, doubles quotes, leaves the rest", () => {
    expect(csvLine(["a", 1, null, undefined, true])).toBe("a,1,,,true\r\n");
    expect(csvLine(['say "hi"', "a,b", "two\nlines"])).toBe('"say ""hi""","a,b","two\nlines"\r\n');
  });

  it("defuses text a spreadsheet would run as a formula, not numbers", () => {
    expect(csvLine(['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx"])).toBe(
      `"'=HYPERLINK(""x"")",'+1,'-2,'@SUM(A1),'\tx\r\n`,
    );
    expect(csvLine([-2, 3.5])).toBe("-2,3.5\r\n");
  });
});
