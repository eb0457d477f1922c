import type { LabelContext, LabelState } from "./label-state";

const FIRST = 5;

/** "3, 7, 12" or "3, 7, 12, 15, 20 and 4 more". */
function some(faces: readonly number[]): string {
  const shown = faces.slice(0, FIRST).join(", ");
  return faces.length > FIRST ? `${shown} and ${faces.length - FIRST} more` : shown;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Why the state cannot be submitted for review, in words for the labeller; [] when it can. Checks:
 * every face labelled with a feature of the taxonomy; every non-stock face in exactly one instance;
 * every instance's faces carrying its feature; bottom faces inside their instance.
 */
export function submissionProblems(state: LabelState, ctx: LabelContext): string[] {
  const problems: string[] = [];
  const faceCount = state.labels.length;
  if (faceCount !== ctx.graph.faceCount) {
    problems.push(`the labels cover ${plural(faceCount, "face")} but the part has ${ctx.graph.faceCount}`);
  }
  const types = new Map(ctx.taxonomy.featureTypes.map((t) => [t.key, t]));

  const unlabelled = state.labels.flatMap((l, i) => (l === null ? [i] : []));
  if (unlabelled.length > 0) {
    problems.push(`${plural(unlabelled.length, "face is", "faces are")} not labelled: ${some(unlabelled)}`);
  }
  const unknown = new Map<string, number>();
  for (const l of state.labels) if (l !== null && !types.has(l)) unknown.set(l, (unknown.get(l) ?? 0) + 1);
  for (const i of state.instances) if (!types.has(i.feature) && !unknown.has(i.feature)) unknown.set(i.feature, 0);
  for (const [key, n] of unknown) {
    problems.push(`${key} is not a feature of the taxonomy${n > 0 ? ` (${plural(n, "face")})` : ""}`);
  }

  const ids = new Map<string, number>();
  for (const i of state.instances) ids.set(i.id, (ids.get(i.id) ?? 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push(`${n} instances share the id ${id}`);

  const holders: string[][] = Array.from({ length: faceCount }, () => []);
  for (const inst of state.instances) {
    const label = `instance ${inst.id} (${types.get(inst.feature)?.name ?? inst.feature})`;
    const missing = inst.faces.filter((f) => !Number.isInteger(f) || f < 0 || f >= faceCount);
    if (missing.length > 0) problems.push(`${label} has faces that do not exist: ${some(missing)}`);
    if (inst.faces.length === 0) problems.push(`${label} has no faces`);
    if (types.get(inst.feature)?.isStock) problems.push(`${label} is stock, which forms no instances`);
    for (const f of inst.faces) holders[f]?.push(inst.id);
    const other = inst.faces.filter((f) => f >= 0 && f < faceCount && state.labels[f] !== inst.feature);
    if (other.length > 0) {
      problems.push(`${label} has ${plural(other.length, "face")} labelled otherwise: ${some(other)}`);
    }
    const members = new Set(inst.faces);
    const stray = (inst.bottomFaces ?? []).filter((f) => !members.has(f));
    if (stray.length > 0) problems.push(`${label} has bottom faces outside it: ${some(stray)}`);
  }

  const orphans: number[] = [];
  const shared: number[] = [];
  state.labels.forEach((l, f) => {
    const type = l === null ? undefined : types.get(l);
    const n = holders[f]?.length ?? 0;
    if (type && !type.isStock && n === 0) orphans.push(f);
    if (n > 1) shared.push(f);
  });
  if (orphans.length > 0) {
    problems.push(
      `${plural(orphans.length, "labelled face is", "labelled faces are")} in no instance: ${some(orphans)}`,
    );
  }
  if (shared.length > 0) {
    const first = shared[0] as number;
    problems.push(
      `${plural(shared.length, "face is", "faces are")} in more than one instance: ${some(shared)} (face ${first} is in ${holders[first]?.join(", ")})`,
    );
  }
  return problems;
}
