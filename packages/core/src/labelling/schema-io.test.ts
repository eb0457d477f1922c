import { describe, expect, it } from "vitest";
import { DEFAULT_TAXONOMY } from "../taxonomy";
import { labelSchemaFile, parseLabelSchemaFile } from "./schema-io";

describe("label schema files", () => {
  it("reads back what it writes, crosswalks included", () => {
    const file = labelSchemaFile({ name: "Default", version: 3, taxonomy: DEFAULT_TAXONOMY });
    const back = parseLabelSchemaFile(JSON.stringify(file));
    expect(back).toEqual({ ok: true, file });
  });

  it("says what is wrong, by path, in a file with a bad colour and a duplicate hotkey", () => {
    const file = labelSchemaFile({ name: "Mine", version: 1, taxonomy: DEFAULT_TAXONOMY }) as unknown as {
      taxonomy: { featureTypes: Array<Record<string, unknown>> };
    };
    const types = file.taxonomy.featureTypes;
    (types[1] as Record<string, unknown>).colour = "red";
    (types[2] as Record<string, unknown>).hotkey = "1";
    const r = parseLabelSchemaFile(JSON.stringify(file));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContain("taxonomy.featureTypes.1.colour: colours are written #rrggbb (six hex digits)");
    expect(r.problems.join("\n")).toContain("hotkey 1 used twice");
  });

  it("refuses text that is not JSON, another format, and unknown fields", () => {
    expect(parseLabelSchemaFile("{").ok).toBe(false);
    const other = parseLabelSchemaFile(JSON.stringify({ format: "x", formatVersion: 1, name: "a", taxonomy: {} }));
    expect(other.ok ? [] : other.problems).toContain('format: "format" must be "facet.label-schema"');
    const extra = { ...labelSchemaFile({ name: "a", version: 1, taxonomy: DEFAULT_TAXONOMY }), owner: "me" };
    expect(parseLabelSchemaFile(JSON.stringify(extra)).ok).toBe(false);
  });
});
