import type { LabelEdge, Vec3 } from "@facet/core";
import { describe, expect, it, vi } from "vitest";
import { createPrelabelers, DEFAULT_PRELABELERS, parsePrelabelersConfig } from "./config";
import { remotePrelabelerConfigSchema } from "./remote";
import { RULE_CLASSES, RULES_MODEL } from "./rules/recognise";
import type { PrelabelFace, PrelabelInput } from "./types";

const remote = { kind: "remote", id: "aagnet", url: "https://models.example/aagnet/predict" } as const;

/** The message of the error `fn` throws. */
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  throw new Error("expected an error");
};

describe("parsePrelabelersConfig", () => {
  it("parses the default: the built-in rules alone", () => {
    expect(DEFAULT_PRELABELERS).toBe('[{"kind":"rules"}]');
    expect(parsePrelabelersConfig(DEFAULT_PRELABELERS)).toEqual([{ kind: "rules" }]);
  });

  it("accepts an empty list (pre-labelling off)", () => {
    expect(parsePrelabelersConfig("[]")).toEqual([]);
  });

  it("fills a remote's defaults from the remote schema and keeps the order", () => {
    // (the defaults themselves are asserted in remote.test.ts)
    const parsed = parsePrelabelersConfig(JSON.stringify([{ kind: "rules" }, remote]));
    expect(parsed).toEqual([{ kind: "rules" }, remotePrelabelerConfigSchema.parse(remote)]);
    expect(parsed[1]).toMatchObject({ ...remote, version: "unknown", retries: 2 });
  });

  it("keeps values given instead of the defaults", () => {
    const [first] = parsePrelabelersConfig(JSON.stringify([{ ...remote, version: "2.1", retries: 0, jitter: false }]));
    expect(first).toMatchObject({ kind: "remote", version: "2.1", retries: 0, jitter: false, timeoutMs: 30_000 });
  });

  it("refuses text that is not JSON, naming the variable", () => {
    expect(errorOf(() => parsePrelabelersConfig('[{"kind":"rules"'))).toMatch(/^FACET_PRELABELERS is not valid JSON: /);
    expect(errorOf(() => parsePrelabelersConfig("rules", "PRELABELERS_FILE"))).toMatch(
      /^PRELABELERS_FILE is not valid JSON: /,
    );
  });

  it("refuses a value that is not a list", () => {
    expect(errorOf(() => parsePrelabelersConfig('{"kind":"rules"}'))).toMatch(/^invalid FACET_PRELABELERS:\n/);
  });

  it("refuses an unknown kind, naming its index", () => {
    const message = errorOf(() => parsePrelabelersConfig('[{"kind":"rules"},{"kind":"magic"}]'));
    expect(message).toMatch(/^invalid FACET_PRELABELERS:\n/);
    expect(message).toContain("FACET_PRELABELERS[1][kind]");
    expect(message).not.toContain("FACET_PRELABELERS[0]");
  });

  it("refuses a remote without url, naming its index and the key", () => {
    const message = errorOf(() =>
      parsePrelabelersConfig(JSON.stringify([{ kind: "rules" }, { kind: "remote", id: "aagnet" }])),
    );
    expect(message).toContain("FACET_PRELABELERS[1][url]");
    expect(message).not.toContain("FACET_PRELABELERS[0]");
  });

  it("refuses an unknown key on the rules entry", () => {
    expect(errorOf(() => parsePrelabelersConfig('[{"kind":"rules","taxonomy":"x"}]'))).toContain(
      "FACET_PRELABELERS[0]",
    );
  });

  it("refuses a pre-labeler listed twice, naming the second", () => {
    expect(errorOf(() => parsePrelabelersConfig('[{"kind":"rules"},{"kind":"rules"}]'))).toContain(
      "FACET_PRELABELERS[1]: pre-labeler facet-rules is listed twice",
    );
    expect(errorOf(() => parsePrelabelersConfig(JSON.stringify([remote, { kind: "rules" }, remote])))).toContain(
      "FACET_PRELABELERS[2]: pre-labeler aagnet is listed twice",
    );
    // a remote may not take the rules' id either
    expect(
      errorOf(() => parsePrelabelersConfig(JSON.stringify([{ kind: "rules" }, { ...remote, id: "facet-rules" }]))),
    ).toContain("FACET_PRELABELERS[1]: pre-labeler facet-rules is listed twice");
  });

  it("accepts 8 pre-labelers and refuses 9", () => {
    const models = (n: number) => Array.from({ length: n }, (_, i) => ({ ...remote, id: `model-${i}` }));
    expect(parsePrelabelersConfig(JSON.stringify(models(8)))).toHaveLength(8);
    expect(errorOf(() => parsePrelabelersConfig(JSON.stringify(models(9))))).toContain(
      "FACET_PRELABELERS: at most 8 pre-labelers",
    );
  });
});

// A unit cube: six planes on the bounding box (+x, -x, +y, -y, +z, -z), each meeting the four it is not
// opposite along a convex right-angled edge.
const cubeFace = (axis: 0 | 1 | 2, sign: 1 | -1): PrelabelFace => {
  const at = sign > 0 ? 1 : 0;
  const direction: Vec3 = [0, 0, 0];
  direction[axis] = sign;
  const min: Vec3 = [0, 0, 0];
  const max: Vec3 = [1, 1, 1];
  min[axis] = at;
  max[axis] = at;
  return { surface: "plane", area: 1, direction, origin: [...min], radius: null, bbox: { min, max } };
};
const CUBE_FACES = ([0, 1, 2] as const).flatMap((axis) => [cubeFace(axis, 1), cubeFace(axis, -1)]);
const CUBE_EDGES: LabelEdge[] = [];
for (let a = 0; a < 6; a++) {
  for (let b = a + 1; b < 6; b++) {
    if (Math.floor(a / 2) !== Math.floor(b / 2)) CUBE_EDGES.push({ faces: [a, b], convexity: "convex", angle: 90 });
  }
}
const CUBE: PrelabelInput = {
  faceSignature: "unit-cube",
  faces: CUBE_FACES,
  edges: CUBE_EDGES,
  bbox: { min: [0, 0, 0], max: [1, 1, 1] },
};

describe("createPrelabelers", () => {
  it("creates nothing from an empty list", () => {
    expect(createPrelabelers([])).toEqual([]);
  });

  it("creates the rules and each remote, in order, with their ids", () => {
    const config = parsePrelabelersConfig(JSON.stringify([{ kind: "rules" }, { ...remote, version: "2.1" }]));
    const prelabelers = createPrelabelers(config);
    expect(prelabelers.map((p) => p.id)).toEqual(["facet-rules", "aagnet"]);
    expect(prelabelers.map((p) => p.version)).toEqual([RULES_MODEL.version, "2.1"]);
  });

  it("gives a rules pre-labeler that labels a plain cube as stock", async () => {
    expect(CUBE_FACES).toHaveLength(6);
    expect(CUBE_EDGES).toHaveLength(12);
    const [rules] = createPrelabelers(parsePrelabelersConfig(DEFAULT_PRELABELERS));
    const answer = await rules?.predict(CUBE);
    expect(answer?.model).toEqual({ id: "facet-rules", version: RULES_MODEL.version });
    expect(answer?.classes).toEqual([...RULE_CLASSES]);
    expect(answer?.probabilities).toHaveLength(6);
    const stock = answer?.classes.indexOf("stock") ?? -1;
    expect(stock).toBeGreaterThanOrEqual(0);
    for (const [face, row] of (answer?.probabilities ?? []).entries()) {
      expect(row.indexOf(Math.max(...row)), `face ${face}`).toBe(stock);
      // on the box: stock with 0.97, the rest spread evenly over every class
      expect(row[stock], `face ${face}`).toBeCloseTo(0.97 + 0.03 / RULE_CLASSES.length, 10);
      expect(
        row.reduce((s, p) => s + p, 0),
        `face ${face}`,
      ).toBeCloseTo(1, 10);
    }
    expect(answer?.instances).toEqual([]);
  });

  it("hands the remote its dependencies (here: the fetch it calls)", async () => {
    const fetch = vi.fn(
      async (_url: string | URL | Request, _init?: RequestInit) =>
        new Response(JSON.stringify({ classes: ["stock"], probabilities: CUBE_FACES.map(() => [1]) }), {
          status: 200,
          headers: { "content-type": "application/json" },
        }),
    );
    const [model] = createPrelabelers(parsePrelabelersConfig(JSON.stringify([remote])), { fetch });
    const answer = await model?.predict(CUBE);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String(fetch.mock.calls[0]?.[0])).toBe(remote.url);
    expect(answer?.model.id).toBe("aagnet");
    expect(answer?.classes).toEqual(["stock"]);
    expect(answer?.probabilities).toEqual(CUBE_FACES.map(() => [1]));
  });
});
