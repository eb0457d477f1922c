/**
 * The class of each face in an AAGNet MFInstSeg label file, `[[name, {seg: {"<face>": class}, …}]]`
 * (face ids are face indices in OpenCascade's order, classes MFCAD++'s): what AAGNet's loader reads.
 */
export function readMfinstsegClasses(json: string): { name: string; classes: number[] } {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error("the label file is not JSON");
  }
  const entry = Array.isArray(data) && Array.isArray(data[0]) ? (data[0] as unknown[]) : null;
  const seg = (entry?.[1] as { seg?: unknown } | undefined)?.seg;
  if (!entry || typeof entry[0] !== "string" || typeof seg !== "object" || seg === null || Array.isArray(seg))
    throw new Error('not an MFInstSeg label file: expected [[name, {"seg": {face: class}, …}]]');
  const bySeg = seg as Record<string, unknown>;
  const n = Object.keys(bySeg).length;
  const classes = Array.from({ length: n }, (_, i) => {
    const c = bySeg[String(i)];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0)
      throw new Error(`face ${i} has no class in "seg" (its faces must be numbered 0 to ${n - 1})`);
    return c;
  });
  return { name: entry[0], classes };
}
