import { AppError } from "@facet/core";

/**
 * Inter-annotator agreement for face-level labels. An annotation is one rater's labels for a part:
 * a feature key per face (index = face number) or null where the rater left the face unlabelled.
 * Nulls are missing data everywhere here: they never count as a label, a vote or a disagreement.
 *
 * Which label wins a face is not decided here: the database holds the one majority vote and its tie
 * rule (private.face_majority, read through getPartConsensus in @facet/db). These figures need no
 * winner: a face's agreement is its top vote count over its raters, whichever label has it.
 */
export type FaceLabels = ReadonlyArray<string | null>;

/** How many raters gave each label to one item (a face); labels nobody gave are absent. */
export type Votes = Record<string, number>;

export interface FaceAgreement {
  face: number;
  votes: Votes;
  /** Raters that labelled the face (nulls excluded). */
  raters: number;
  /**
   * Share of the face's raters that gave its most common label (1 = unanimous); with a tie it is
   * that share too (a 2–2 tie gives 0.5). Null when fewer than two raters labelled the face:
   * a single label can neither agree nor disagree.
   */
  agreement: number | null;
}

export interface PartAgreement {
  faces: FaceAgreement[];
  /** Mean `agreement` over the faces that have one (area-weighted when areas are given); null when none has. */
  meanAgreement: number | null;
  /** Faces given two or more different labels, ascending. */
  disagreeingFaces: number[];
}

/** A chance-corrected agreement coefficient with the quantities it is made of. */
export interface KappaResult {
  /** Items that entered the computation (after skipping missing ratings). */
  items: number;
  /** Observed agreement p_o (Cohen) or P̄ (Fleiss); null without items. */
  observed: number | null;
  /** Agreement expected by chance p_e (Cohen) or P̄_e (Fleiss); null without items. */
  expected: number | null;
  /** (observed − expected) / (1 − expected): 1 = perfect, 0 = chance, < 0 = worse than chance; null without items. */
  kappa: number | null;
  /** Kappa of each label against all others, for every label used at least once. */
  perClass: Record<string, number>;
}

export interface FleissResult extends KappaResult {
  /** p_j: each label's share of all ratings of the counted items. */
  proportions: Record<string, number>;
}

export interface AnnotatedPart {
  partId: string;
  /** Who made each annotation: annotators[i] made annotations[i]. */
  annotators: ReadonlyArray<string>;
  annotations: ReadonlyArray<FaceLabels>;
}

export interface PairAgreement {
  a: string;
  b: string;
  /** Faces (pooled over the parts both annotated) that both labelled. */
  items: number;
  kappa: number | null;
  perClass: Record<string, number>;
}

export interface AgreementReport {
  parts: number;
  faces: number;
  /** Mean face agreement over all faces labelled by two or more raters, every face weighing the same. */
  meanFaceAgreement: number | null;
  fleiss: { items: number; overall: number | null; perClass: Record<string, number> };
  /** One entry per pair of annotators that share at least one part, in order of first appearance. */
  pairs: PairAgreement[];
  /** Parts with at least one disagreeing face, in input order. */
  disagreeingParts: string[];
}

const invalid = (message: string): AppError => new AppError("VALIDATION_FAILED", message);

/**
 * The common chance correction κ = (p_o − p_e) / (1 − p_e). When p_e = 1 every rating falls in
 * one category and κ is 0/0; we define it as 1 if the raters agree perfectly (p_o = 1), else 0.
 */
function chanceCorrected(observed: number, expected: number): number {
  if (expected >= 1) return observed >= 1 ? 1 : 0;
  return (observed - expected) / (1 - expected);
}

function countInto(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function sameLength(annotations: ReadonlyArray<FaceLabels>, what: string): number {
  const faces = annotations[0]?.length ?? 0;
  annotations.forEach((a, i) => {
    if (a.length !== faces) {
      throw invalid(`${what}: annotation ${i} has ${a.length} faces but annotation 0 has ${faces}`);
    }
  });
  return faces;
}

/** Votes and agreement of every face of one part; `annotations[r][f]` is rater r's label of face f. */
export function faceAgreement(annotations: ReadonlyArray<FaceLabels>): FaceAgreement[] {
  const faceCount = sameLength(annotations, "annotations of one part must label the same faces");
  return Array.from({ length: faceCount }, (_, face) => {
    const counts = new Map<string, number>();
    for (const a of annotations) {
      const label = a[face];
      if (label != null) countInto(counts, label);
    }
    let raters = 0;
    let top = 0;
    for (const n of counts.values()) {
      raters += n;
      top = Math.max(top, n);
    }
    return { face, votes: Object.fromEntries(counts), raters, agreement: raters >= 2 ? top / raters : null };
  });
}

/**
 * Per-face agreement of one part plus its mean and the faces in dispute. With `faceAreas` (one per
 * face) the mean weighs each face by its area, so a sliver face disputed by the raters counts less
 * than a large one.
 */
export function partAgreement(
  annotations: ReadonlyArray<FaceLabels>,
  options: { faceAreas?: ReadonlyArray<number> } = {},
): PartAgreement {
  const faces = faceAgreement(annotations);
  const areas = options.faceAreas;
  if (areas && annotations.length > 0) {
    if (areas.length !== faces.length) {
      throw invalid(`faceAreas has ${areas.length} entries but the part has ${faces.length} faces`);
    }
    const bad = areas.findIndex((x) => !Number.isFinite(x) || x < 0);
    if (bad >= 0) throw invalid(`faceAreas[${bad}] is ${areas[bad]}; areas must be finite and not negative`);
  }
  let sum = 0;
  let weight = 0;
  for (const f of faces) {
    if (f.agreement === null) continue;
    const w = areas ? (areas[f.face] ?? 0) : 1;
    sum += w * f.agreement;
    weight += w;
  }
  return {
    faces,
    meanAgreement: weight > 0 ? sum / weight : null,
    disagreeingFaces: faces.filter((f) => Object.keys(f.votes).length > 1).map((f) => f.face),
  };
}

/**
 * Cohen's kappa of two raters over the same items (nominal labels, unweighted):
 * p_o = share of items with equal labels, p_e = Σ_k p_a(k)·p_b(k) from each rater's own label
 * frequencies, κ = (p_o − p_e)/(1 − p_e) (see `chanceCorrected` for p_e = 1). Items either rater
 * left null are skipped. `perClass[k]` is the same statistic on the binary "k or not k" labels.
 */
export function cohensKappa(a: FaceLabels, b: FaceLabels): KappaResult {
  if (a.length !== b.length) throw invalid(`Cohen's kappa needs paired ratings: ${a.length} items vs ${b.length}`);
  const left = new Map<string, number>();
  const right = new Map<string, number>();
  const both = new Map<string, number>();
  let n = 0;
  a.forEach((x, i) => {
    const y = b[i];
    if (x == null || y == null) return;
    n++;
    countInto(left, x);
    countInto(right, y);
    if (x === y) countInto(both, x);
  });
  if (n === 0) return { items: 0, observed: null, expected: null, kappa: null, perClass: {} };

  let agreed = 0;
  let chance = 0;
  for (const [k, na] of left) {
    agreed += both.get(k) ?? 0;
    chance += na * (right.get(k) ?? 0);
  }
  const perClass = Object.fromEntries(
    [...new Set([...left.keys(), ...right.keys()])].map((k) => {
      const na = left.get(k) ?? 0;
      const nb = right.get(k) ?? 0;
      const yesYes = both.get(k) ?? 0;
      const noNo = n - na - nb + yesYes;
      return [k, chanceCorrected((yesYes + noNo) / n, (na * nb + (n - na) * (n - nb)) / (n * n))];
    }),
  );
  const observed = agreed / n;
  const expected = chance / (n * n);
  return { items: n, observed, expected, kappa: chanceCorrected(observed, expected), perClass };
}

/**
 * Fleiss' kappa over items each rated by several raters, given as label counts per item (n_ij =
 * raters putting item i in category j, n_i = Σ_j n_ij). Items with fewer than two ratings are skipped.
 *
 * The number of raters may vary by item. We use the generalisation that keeps Fleiss' definitions
 * and lets each item use its own n_i (with a constant m it is exactly Fleiss 1971):
 *   P_i  = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1))      share of agreeing rater pairs on item i
 *   P̄    = (1/N) Σ_i P_i                            every item weighs the same
 *   p_j  = Σ_i n_ij / Σ_i n_i                        pooled over all ratings
 *   P̄_e  = Σ_j p_j²,   κ = (P̄ − P̄_e) / (1 − P̄_e)
 * Per category (Fleiss 1971, with n_i in place of m):
 *   κ_j = 1 − [(1/N) Σ_i n_ij(n_i − n_ij) / (n_i(n_i − 1))] / (p_j(1 − p_j))
 * which for constant m is 1 − Σ_i n_ij(m − n_ij) / (N m(m − 1) p_j(1 − p_j)). κ is the
 * p_j(1 − p_j)-weighted mean of the κ_j. Degenerate p_e = 1 as in `chanceCorrected`.
 */
export function fleissKappa(items: ReadonlyArray<Readonly<Votes>>): FleissResult {
  const totals = new Map<string, number>();
  const disagreement = new Map<string, number>();
  let counted = 0;
  let ratings = 0;
  let sumP = 0;
  items.forEach((votes, i) => {
    const entries = Object.entries(votes);
    for (const [label, n] of entries) {
      if (!Number.isInteger(n) || n < 0) throw invalid(`item ${i}: ${label} has ${n} votes; expected a count`);
    }
    const n = entries.reduce((s, [, c]) => s + c, 0);
    if (n < 2) return;
    const pairs = n * (n - 1);
    counted++;
    ratings += n;
    for (const [label, c] of entries) {
      if (c === 0) continue;
      countInto(totals, label, c);
      countInto(disagreement, label, (c * (n - c)) / pairs);
      sumP += (c * (c - 1)) / pairs;
    }
  });
  if (counted === 0) return { items: 0, observed: null, expected: null, kappa: null, perClass: {}, proportions: {} };

  const p = [...totals].map(([label, total]) => [label, total / ratings] as const);
  const expected = p.reduce((s, [, pj]) => s + pj * pj, 0);
  const observed = sumP / counted;
  return {
    items: counted,
    observed,
    expected,
    kappa: chanceCorrected(observed, expected),
    // Observed vs chance disagreement on "j or not j": Do_j = mean_i n_ij(n_i − n_ij)/(n_i(n_i − 1)), De_j = p_j(1 − p_j).
    perClass: Object.fromEntries(
      p.map(([label, pj]) => [label, chanceCorrected(1 - (disagreement.get(label) ?? 0) / counted, 1 - pj * (1 - pj))]),
    ),
    proportions: Object.fromEntries(p),
  };
}

/**
 * Agreement over many parts, faces pooled across parts as items: the mean face agreement, Fleiss'
 * kappa over all faces (raters per face may vary), and Cohen's kappa of every pair of annotators
 * over the faces of all the parts both annotated.
 */
export function agreementReport(parts: ReadonlyArray<AnnotatedPart>): AgreementReport {
  const order = new Map<string, number>();
  const pairs = new Map<string, { a: string; b: string; left: (string | null)[]; right: (string | null)[] }>();
  const pooled: FaceAgreement[] = [];
  const disagreeingParts: string[] = [];
  const rank = (who: string) => order.get(who) ?? 0;

  for (const part of parts) {
    const { partId, annotators, annotations } = part;
    if (annotators.length !== annotations.length) {
      throw invalid(`part ${partId}: ${annotators.length} annotators but ${annotations.length} annotations`);
    }
    const dup = annotators.find((x, i) => annotators.indexOf(x) !== i);
    if (dup !== undefined) throw invalid(`part ${partId}: annotator ${dup} appears more than once`);
    sameLength(annotations, `part ${partId}`);

    const { faces, disagreeingFaces } = partAgreement(annotations);
    pooled.push(...faces);
    if (disagreeingFaces.length > 0) disagreeingParts.push(partId);

    for (const x of annotators) if (!order.has(x)) order.set(x, order.size);
    // Each pair is keyed in order of first appearance, so (bob, ann) in one part pools with (ann, bob) in another.
    const raters = annotators.map((who, r) => ({ who, labels: annotations[r] as FaceLabels }));
    raters.sort((x, y) => rank(x.who) - rank(y.who));
    raters.forEach((x, i) => {
      for (const y of raters.slice(i + 1)) {
        const key = JSON.stringify([x.who, y.who]);
        const pair = pairs.get(key) ?? { a: x.who, b: y.who, left: [], right: [] };
        pairs.set(key, pair);
        pair.left.push(...x.labels);
        pair.right.push(...y.labels);
      }
    });
  }

  const agreements = pooled.flatMap((f) => (f.agreement === null ? [] : [f.agreement]));
  const fleiss = fleissKappa(pooled.map((f) => f.votes));
  return {
    parts: parts.length,
    faces: pooled.length,
    meanFaceAgreement: agreements.length > 0 ? agreements.reduce((s, x) => s + x, 0) / agreements.length : null,
    fleiss: { items: fleiss.items, overall: fleiss.kappa, perClass: fleiss.perClass },
    pairs: [...pairs.values()]
      .sort((x, y) => rank(x.a) - rank(y.a) || rank(x.b) - rank(y.b))
      .map(({ a, b, left, right }) => {
        const { items, kappa, perClass } = cohensKappa(left, right);
        return { a, b, items, kappa, perClass };
      }),
    disagreeingParts,
  };
}
