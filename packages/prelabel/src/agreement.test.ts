import { describe, expect, it } from "vitest";
import { agreementReport, cohensKappa, faceAgreement, fleissKappa, partAgreement } from "./agreement";
import { validationError } from "./expect-error";

/** `n` copies of `label`. */
const times = (n: number, label: string): string[] => Array.from({ length: n }, () => label);

describe("faceAgreement / partAgreement", () => {
  // Three raters, six faces:
  //   face 0: stock, stock, stock       → unanimous, agreement 3/3 = 1
  //   face 1: stock, chamfer, chamfer   → 2/3
  //   face 2: chamfer, chamfer, —       → 2/2 = 1 (the null is skipped)
  //   face 3: —, —, —                   → nobody: no agreement
  //   face 4: hole, pocket, —           → 1–1 tie: agreement 1/2
  //   face 5: slot, —, —                → one rater: no agreement
  const annotations = [
    ["stock", "stock", "chamfer", null, "hole", "slot"],
    ["stock", "chamfer", "chamfer", null, "pocket", null],
    ["stock", "chamfer", null, null, null, null],
  ];

  it("counts votes and the share giving the most common label per face", () => {
    const faces = faceAgreement(annotations);
    expect(faces.map((f) => f.face)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(faces.map((f) => f.raters)).toEqual([3, 3, 2, 0, 2, 1]);
    expect(faces[0]).toEqual({ face: 0, votes: { stock: 3 }, raters: 3, agreement: 1 });
    expect(faces[1]?.votes).toEqual({ stock: 1, chamfer: 2 });
    expect(faces[1]?.agreement).toBeCloseTo(2 / 3, 10);
    expect(faces[2]?.agreement).toBe(1);
    expect(faces[3]).toEqual({ face: 3, votes: {}, raters: 0, agreement: null });
    expect(faces[5]).toEqual({ face: 5, votes: { slot: 1 }, raters: 1, agreement: null });
  });

  it("names no winner (the database's majority vote does): a tie reports the top share", () => {
    const face = faceAgreement(annotations)[4];
    expect(face).toEqual({ face: 4, votes: { hole: 1, pocket: 1 }, raters: 2, agreement: 0.5 });
    expect(face).not.toHaveProperty("majority");
    // a tie that is not for first place: a, a, b, c → 2/4
    const [f] = faceAgreement([["a"], ["b"], ["a"], ["c"]]);
    expect(f?.votes).toEqual({ a: 2, b: 1, c: 1 });
    expect(f?.agreement).toBeCloseTo(0.5, 10);
  });

  it("averages the faces that have an agreement and lists the disputed ones", () => {
    // Faces 0, 1, 2, 4: (1 + 2/3 + 1 + 1/2) / 4 = (19/6) / 4 = 19/24 ≈ 0.791667
    const part = partAgreement(annotations);
    expect(part.meanAgreement).toBeCloseTo(19 / 24, 10);
    expect(part.disagreeingFaces).toEqual([1, 4]);
  });

  it("weighs faces by area when areas are given", () => {
    // Areas 10, 30, 5, (100), 20, (7); faces 3 and 5 have no agreement, so their areas drop out:
    // (10·1 + 30·2/3 + 5·1 + 20·1/2) / (10 + 30 + 5 + 20) = 45/65 ≈ 0.692308
    const part = partAgreement(annotations, { faceAreas: [10, 30, 5, 100, 20, 7] });
    expect(part.meanAgreement).toBeCloseTo(45 / 65, 10);
  });

  it("has no mean when no face has two raters", () => {
    expect(partAgreement([["stock", null]]).meanAgreement).toBeNull();
    expect(partAgreement([]).faces).toEqual([]);
  });

  it("rejects annotations of different lengths and bad areas", () => {
    const e = validationError(() => faceAgreement([["stock", "stock"], ["stock"]]));
    expect(e.message).toContain("annotation 1 has 1 faces but annotation 0 has 2");
    validationError(() => partAgreement(annotations, { faceAreas: [1, 2, 3] }));
    validationError(() => partAgreement(annotations, { faceAreas: [1, 2, 3, 4, -5, 6] }));
    validationError(() => partAgreement(annotations, { faceAreas: [1, 2, 3, 4, Number.NaN, 6] }));
  });
});

describe("cohensKappa", () => {
  it("reproduces the classic 2×2 example", () => {
    // 50 items:           B yes   B no
    //            A yes      20      5     (A: 25 yes)
    //            A no       10     15     (A: 25 no)
    //                      (30)   (20)
    // p_o = (20 + 15)/50 = 0.7
    // p_e = (25/50)(30/50) + (25/50)(20/50) = 0.30 + 0.20 = 0.5
    // κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
    // With two labels, "yes vs rest" and "no vs rest" are the same table: both 0.4.
    const a = [...times(20, "yes"), ...times(5, "yes"), ...times(10, "no"), ...times(15, "no")];
    const b = [...times(20, "yes"), ...times(5, "no"), ...times(10, "yes"), ...times(15, "no")];
    const k = cohensKappa(a, b);
    expect(k.items).toBe(50);
    expect(k.observed).toBeCloseTo(0.7, 10);
    expect(k.expected).toBeCloseTo(0.5, 10);
    expect(k.kappa).toBeCloseTo(0.4, 10);
    expect(k.perClass.yes).toBeCloseTo(0.4, 10);
    expect(k.perClass.no).toBeCloseTo(0.4, 10);
  });

  it("skips items either rater left unlabelled", () => {
    // The classic example plus three items with a null on one or both sides: nothing changes.
    const a = [...times(25, "yes"), ...times(25, "no"), null, "yes", null];
    const b = [...times(20, "yes"), ...times(5, "no"), ...times(10, "yes"), ...times(15, "no"), "no", null, null];
    const k = cohensKappa(a, b);
    expect(k.items).toBe(50);
    expect(k.kappa).toBeCloseTo(0.4, 10);
    expect(cohensKappa([null, "a"], ["a", null])).toEqual({
      items: 0,
      observed: null,
      expected: null,
      kappa: null,
      perClass: {},
    });
  });

  it("is 1 for perfect agreement, 0 at chance, negative for systematic disagreement", () => {
    expect(cohensKappa(["s", "c", "h", "s"], ["s", "c", "h", "s"]).kappa).toBeCloseTo(1, 10);
    // A = x x y y, B = x y x y: p_o = 2/4, p_e = .5·.5 + .5·.5 = .5 → κ = 0
    const chance = cohensKappa(["x", "x", "y", "y"], ["x", "y", "x", "y"]);
    expect(chance.observed).toBeCloseTo(0.5, 10);
    expect(chance.kappa).toBeCloseTo(0, 10);
    // A = x x y y, B = y y x x: p_o = 0, p_e = .5 → κ = (0 − .5)/(1 − .5) = −1
    expect(cohensKappa(["x", "x", "y", "y"], ["y", "y", "x", "x"]).kappa).toBeCloseTo(-1, 10);
  });

  it("defines the degenerate case p_e = 1 as 1 (both raters use one label throughout)", () => {
    const k = cohensKappa(["stock", "stock", "stock"], ["stock", "stock", "stock"]);
    expect(k.expected).toBe(1);
    expect(k.kappa).toBe(1);
    expect(k.perClass).toEqual({ stock: 1 });
  });

  it("gives one-vs-rest kappa per class", () => {
    // item:  1 2 3 4 5 6 7 8 9 10
    //    A:  s s s s c c c h h s
    //    B:  s s s s c c h h c c
    // A: s 5, c 3, h 2;  B: s 4, c 4, h 2.  Agree on 1–6 and 8: p_o = 7/10.
    // p_e = .5·.4 + .3·.4 + .2·.2 = .36 → κ = (.7 − .36)/.64 = .53125
    // s vs rest: disagree only on 10 → p_o = .9; p_e = .5·.4 + .5·.6 = .5 → κ_s = .4/.5 = .8
    // c vs rest: disagree on 7, 9, 10 → p_o = .7; p_e = .3·.4 + .7·.6 = .54 → κ_c = .16/.46 ≈ .347826
    // h vs rest: disagree on 7, 9 → p_o = .8; p_e = .2·.2 + .8·.8 = .68 → κ_h = .12/.32 = .375
    const a = ["s", "s", "s", "s", "c", "c", "c", "h", "h", "s"];
    const b = ["s", "s", "s", "s", "c", "c", "h", "h", "c", "c"];
    const k = cohensKappa(a, b);
    expect(k.observed).toBeCloseTo(0.7, 10);
    expect(k.expected).toBeCloseTo(0.36, 10);
    expect(k.kappa).toBeCloseTo(0.53125, 10);
    expect(k.perClass.s).toBeCloseTo(0.8, 10);
    expect(k.perClass.c).toBeCloseTo(0.16 / 0.46, 10);
    expect(k.perClass.h).toBeCloseTo(0.375, 10);
    expect(Object.keys(k.perClass).sort()).toEqual(["c", "h", "s"]);
  });

  it("rejects ratings of different lengths", () => {
    validationError(() => cohensKappa(["a", "b"], ["a"]));
  });
});

describe("fleissKappa", () => {
  // Wikipedia's worked example ("Fleiss' kappa"): 10 items, 14 raters, 5 categories.
  // n_ij (columns = categories 1..5)      Σ n_ij²   P_i = (Σ n_ij² − 14)/(14·13)
  //   1:  0  0  0  0 14                    196      182/182 = 1.000
  //   2:  0  2  6  4  2                     60       46/182 ≈ 0.253
  //   3:  0  0  3  5  6                     70       56/182 ≈ 0.308
  //   4:  0  3  9  2  0                     94       80/182 ≈ 0.440
  //   5:  2  2  8  1  1                     74       60/182 ≈ 0.330
  //   6:  7  7  0  0  0                     98       84/182 ≈ 0.462
  //   7:  3  2  6  3  0                     58       44/182 ≈ 0.242
  //   8:  2  5  3  2  2                     46       32/182 ≈ 0.176
  //   9:  6  5  2  1  0                     66       52/182 ≈ 0.286
  //  10:  0  2  2  3  7                     66       52/182 ≈ 0.286
  // Σ:   20 28 39 21 32 (= 140)
  // p_j = 20/140, 28/140, 39/140, 21/140, 32/140 ≈ .143 .200 .279 .150 .229
  // P̄   = 688/1820 = 172/455 ≈ 0.378022
  // P̄_e = (400 + 784 + 1521 + 441 + 1024)/140² = 4170/19600 ≈ 0.212755
  // κ   = (172/455 − 417/1960)/(1 − 417/1960) = 4211/20059 ≈ 0.20993
  //
  // Per category, κ_j = 1 − Σ_i n_ij(14 − n_ij) / (10·14·13 · p_j(1 − p_j)), 10·14·13 = 1820:
  //   1: Σ = 2·12 + 7·7 + 3·11 + 2·12 + 6·8 = 178;                p q = 6/49
  //      κ_1 = 1 − 178/(1820·6/49) = 1 − 8722/10920 ≈ 0.201282
  //   2: Σ = 24 + 33 + 24 + 49 + 24 + 45 + 45 + 24 = 268;         p q = .16
  //      κ_2 = 1 − 268/291.2 ≈ 0.079670
  //   3: Σ = 48 + 33 + 45 + 48 + 48 + 33 + 24 + 24 = 303;         p q = 39·101/140²
  //      κ_3 = 1 − 303·19600/(1820·3939) ≈ 1 − 303/365.7643 ≈ 0.171597
  //   4: Σ = 40 + 45 + 24 + 13 + 33 + 24 + 13 + 33 = 225;         p q = .1275
  //      κ_4 = 1 − 225/232.05 ≈ 0.030381
  //   5: Σ = 0 + 24 + 48 + 13 + 24 + 49 = 158;                    p q = 8·27/35²
  //      κ_5 = 1 − 158·1225/(1820·216) ≈ 1 − 158/320.9143 ≈ 0.507657
  const table = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];
  const votes = table.map((row) => Object.fromEntries(row.map((n, j) => [`c${j + 1}`, n])));

  it("reproduces Wikipedia's worked example", () => {
    const k = fleissKappa(votes);
    expect(k.items).toBe(10);
    expect(k.observed).toBeCloseTo(172 / 455, 10);
    expect(k.expected).toBeCloseTo(4170 / 19600, 10);
    expect(k.kappa).toBeCloseTo(4211 / 20059, 10);
    expect(k.kappa).toBeCloseTo(0.21, 2);
    expect(k.proportions.c1).toBeCloseTo(20 / 140, 10);
    expect(k.proportions.c3).toBeCloseTo(39 / 140, 10);
    expect(k.proportions.c5).toBeCloseTo(32 / 140, 10);
  });

  it("gives Fleiss' per-category kappa", () => {
    const { perClass } = fleissKappa(votes);
    expect(perClass.c1).toBeCloseTo(2198 / 10920, 6);
    expect(perClass.c2).toBeCloseTo(1 - 268 / 291.2, 6);
    expect(perClass.c3).toBeCloseTo(1 - (303 * 19600) / (1820 * 3939), 6);
    expect(perClass.c4).toBeCloseTo(1 - 225 / 232.05, 6);
    expect(perClass.c5).toBeCloseTo(1 - (158 * 1225) / (1820 * 216), 6);
    expect(perClass.c5).toBeCloseTo(0.507657, 5);
  });

  it("is 1 for perfect agreement, 0 at chance, negative for systematic disagreement", () => {
    expect(fleissKappa([{ a: 3 }, { b: 3 }, { c: 3 }]).kappa).toBeCloseTo(1, 10);
    // Two raters; items (x,x), (y,y), (x,y), (x,y): P_i = 1, 1, 0, 0 → P̄ = .5;
    // p_x = p_y = 4/8 → P̄_e = .5 → κ = 0
    const chance = fleissKappa([{ x: 2 }, { y: 2 }, { x: 1, y: 1 }, { x: 1, y: 1 }]);
    expect(chance.observed).toBeCloseTo(0.5, 10);
    expect(chance.kappa).toBeCloseTo(0, 10);
    // Every item split (x,y): P̄ = 0, P̄_e = .5 → κ = −1 (the minimum −1/(m − 1) for m = 2)
    expect(
      fleissKappa([
        { x: 1, y: 1 },
        { x: 1, y: 1 },
      ]).kappa,
    ).toBeCloseTo(-1, 10);
  });

  it("defines the degenerate case (every rating the same label) as 1", () => {
    const k = fleissKappa([{ stock: 2 }, { stock: 3 }]);
    expect(k.expected).toBe(1);
    expect(k.kappa).toBe(1);
    expect(k.perClass).toEqual({ stock: 1 });
  });

  it("supports a varying number of raters and skips items with fewer than two ratings", () => {
    // item 1: x x x    n=3  P = 3·2/(3·2) = 1
    // item 2: x y      n=2  P = 0
    // item 3: x y y    n=3  P = 2·1/(3·2) = 1/3
    // item 4: x        n=1  skipped;  item 5: nothing, skipped
    // P̄ = (1 + 0 + 1/3)/3 = 4/9
    // pooled p_x = 5/8, p_y = 3/8 → P̄_e = 25/64 + 9/64 = 17/32
    // κ = (4/9 − 17/32)/(15/32) = (−25/288)(32/15) = −5/27 ≈ −0.185185
    // (the alternative that averages per-item proportions would give p_x = 11/18 and κ ≈ −0.169)
    // Per class x: Do = mean(3·0/6, 1·1/2, 1·2/6) = 5/18, De = (5/8)(3/8) = 15/64
    //   κ_x = 1 − (5/18)/(15/64) = −5/27; with two labels κ_y is the same.
    const k = fleissKappa([{ x: 3 }, { x: 1, y: 1 }, { x: 1, y: 2 }, { x: 1 }, {}]);
    expect(k.items).toBe(3);
    expect(k.observed).toBeCloseTo(4 / 9, 10);
    expect(k.expected).toBeCloseTo(17 / 32, 10);
    expect(k.kappa).toBeCloseTo(-5 / 27, 10);
    expect(k.proportions).toEqual({ x: 5 / 8, y: 3 / 8 });
    expect(k.perClass.x).toBeCloseTo(-5 / 27, 10);
    expect(k.perClass.y).toBeCloseTo(-5 / 27, 10);
  });

  it("has no kappa without an item rated twice, and rejects counts that are not counts", () => {
    expect(fleissKappa([{ x: 1 }, {}]).kappa).toBeNull();
    validationError(() => fleissKappa([{ x: 1.5 }]));
    validationError(() => fleissKappa([{ x: -1, y: 3 }]));
  });
});

describe("agreementReport", () => {
  // P1 (ann, bob, cat), 4 faces          P2 (bob, ann), 3 faces
  //   face:  0      1       2       3       face:  0      1     2
  //   ann:   stock  stock   chamfer hole    bob:   stock  hole  —
  //   bob:   stock  stock   chamfer chamfer ann:   stock  hole  hole
  //   cat:   stock  chamfer chamfer hole
  //
  // Face agreement: P1 1, 2/3, 1, 2/3; P2 1, 1, — (one rater) → mean (16/3)/6 = 8/9
  // P1 has disputed faces, P2 none → disagreeingParts = [P1]
  //
  // Fleiss over the 6 faces with ≥ 2 ratings (n_i = 3, 3, 3, 3, 2, 2):
  //   P_i = 1, 1/3, 1, 1/3, 1, 1 → P̄ = (14/3)/6 = 7/9
  //   totals stock 7, chamfer 5, hole 4 of 16 → P̄_e = (49 + 25 + 16)/256 = 45/128
  //   κ = (7/9 − 45/128)/(83/128) = 491/747 ≈ 0.657296
  //   Do_stock   = (2·1/6)/6 = 1/18,          De = (7/16)(9/16) = 63/256 → κ = 1 − 256/1134 = 439/567
  //   Do_chamfer = (1·2/6 + 1·2/6)/6 = 1/9,   De = (5/16)(11/16) = 55/256 → κ = 1 − 256/495 = 239/495
  //   Do_hole    = (2·1/6)/6 = 1/18,          De = (4/16)(12/16) = 3/16 → κ = 1 − 16/54 = 19/27
  //
  // Pairs, in order of first appearance (ann, bob, cat):
  //   ann–bob: P1 faces 0–3 + P2 faces 0–1 (bob skipped face 2) → 6 items
  //     ann: s s c h s h;  bob: s s c c s h → p_o = 5/6
  //     ann: s 3 c 1 h 2; bob: s 3 c 2 h 1 → p_e = (9 + 2 + 2)/36 = 13/36 → κ = (17/36)/(23/36) = 17/23
  //     stock: identical → 1; chamfer: p_o 5/6, p_e = (1·2 + 5·4)/36 = 22/36 → (8/36)/(14/36) = 4/7
  //     hole: p_o 5/6, p_e = (2·1 + 4·5)/36 = 22/36 → 4/7
  //   ann–cat: P1 only, 4 items; ann: s s c h; cat: s c c h → p_o = 3/4
  //     p_e = (2·1 + 1·2 + 1·1)/16 = 5/16 → κ = (7/16)/(11/16) = 7/11
  //     stock: p_o 3/4, p_e = (2·1 + 2·3)/16 = .5 → .5; chamfer: same → .5
  //     hole: identical, p_e = (1 + 9)/16 → 1
  //   bob–cat: 4 items; bob: s s c c; cat: s c c h → p_o = 2/4
  //     p_e = (2·1 + 2·2 + 0·1)/16 = 6/16 → κ = (2/16)/(10/16) = 0.2
  //     stock: p_o 3/4, p_e .5 → .5; chamfer: p_o 2/4, p_e = (2·2 + 2·2)/16 = .5 → 0
  //     hole: bob never uses it; p_o 3/4, p_e = (0·1 + 4·3)/16 = .75 → 0
  const parts = [
    {
      partId: "P1",
      annotators: ["ann", "bob", "cat"],
      annotations: [
        ["stock", "stock", "chamfer", "hole"],
        ["stock", "stock", "chamfer", "chamfer"],
        ["stock", "chamfer", "chamfer", "hole"],
      ],
    },
    {
      partId: "P2",
      annotators: ["bob", "ann"],
      annotations: [
        ["stock", "hole", null],
        ["stock", "hole", "hole"],
      ],
    },
  ];

  it("summarises parts, faces, face agreement and disputed parts", () => {
    const r = agreementReport(parts);
    expect(r.parts).toBe(2);
    expect(r.faces).toBe(7);
    expect(r.meanFaceAgreement).toBeCloseTo(8 / 9, 10);
    expect(r.disagreeingParts).toEqual(["P1"]);
  });

  it("pools faces across parts for Fleiss' kappa", () => {
    const { fleiss } = agreementReport(parts);
    expect(fleiss.items).toBe(6);
    expect(fleiss.overall).toBeCloseTo(491 / 747, 10);
    expect(fleiss.perClass.stock).toBeCloseTo(439 / 567, 10);
    expect(fleiss.perClass.chamfer).toBeCloseTo(239 / 495, 10);
    expect(fleiss.perClass.hole).toBeCloseTo(19 / 27, 10);
  });

  it("gives Cohen's kappa per annotator pair over the parts both labelled", () => {
    const { pairs } = agreementReport(parts);
    expect(pairs.map((p) => [p.a, p.b, p.items])).toEqual([
      ["ann", "bob", 6],
      ["ann", "cat", 4],
      ["bob", "cat", 4],
    ]);
    const [annBob, annCat, bobCat] = pairs;
    expect(annBob?.kappa).toBeCloseTo(17 / 23, 10);
    expect(annBob?.perClass.stock).toBeCloseTo(1, 10);
    expect(annBob?.perClass.chamfer).toBeCloseTo(4 / 7, 10);
    expect(annBob?.perClass.hole).toBeCloseTo(4 / 7, 10);
    expect(annCat?.kappa).toBeCloseTo(7 / 11, 10);
    expect(annCat?.perClass).toEqual({ stock: expect.closeTo(0.5, 10), chamfer: expect.closeTo(0.5, 10), hole: 1 });
    expect(bobCat?.kappa).toBeCloseTo(0.2, 10);
    expect(bobCat?.perClass.stock).toBeCloseTo(0.5, 10);
    expect(bobCat?.perClass.chamfer).toBeCloseTo(0, 10);
    expect(bobCat?.perClass.hole).toBeCloseTo(0, 10);
  });

  it("lists only pairs that share a part", () => {
    const r = agreementReport([
      { partId: "A", annotators: ["ann", "bob"], annotations: [["stock"], ["stock"]] },
      { partId: "B", annotators: ["cat", "dan"], annotations: [["hole"], ["slot"]] },
    ]);
    expect(r.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(["ann-bob", "cat-dan"]);
    expect(r.disagreeingParts).toEqual(["B"]);
  });

  it("rejects malformed parts", () => {
    const short = validationError(() =>
      agreementReport([{ partId: "P9", annotators: ["ann", "bob"], annotations: [["stock", "hole"], ["stock"]] }]),
    );
    expect(short.message).toContain("P9");
    validationError(() =>
      agreementReport([{ partId: "P9", annotators: ["ann"], annotations: [["stock"], ["stock"]] }]),
    );
    validationError(() =>
      agreementReport([{ partId: "P9", annotators: ["ann", "ann"], annotations: [["stock"], ["stock"]] }]),
    );
  });
});
