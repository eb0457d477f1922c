/**
 * The names of a STEP file's faces: which `ADVANCED_FACE` entity each face of Facet's numbering is,
 * and the file with those entities renamed (how MFCAD and MFCAD++ carry face ids and labels).
 *
 * Facet numbers faces in OpenCascade's face-map order, which is not the order of the entities in the
 * file. Where every face already has a name no other face has (MFCAD: the face id), the name is the
 * join. Otherwise the file is read once more with each face named by its entity number: the kernel's
 * face records then say which entity each face is (the numbering does not depend on names; surfaces
 * and areas are checked to be the same face by face).
 */

/** An `ADVANCED_FACE` entity: its number, its name, and where the name's token sits in the text. */
export interface AdvancedFace {
  id: number;
  name: string | null;
  start: number;
  end: number;
}

const ADVANCED_FACE = /#(\d+)\s*=\s*ADVANCED_FACE\s*\(\s*('(?:[^']|'')*'|\$)/g;

/** Read STEP bytes as text one byte per character (ISO 8859-1), so that writing back changes no other byte. */
export const stepText = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
export const stepBytes = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));

export function advancedFaces(text: string): AdvancedFace[] {
  const out: AdvancedFace[] = [];
  for (const m of text.matchAll(ADVANCED_FACE)) {
    const token = m[2] as string;
    const end = (m.index as number) + m[0].length;
    out.push({
      id: Number(m[1]),
      name: token === "$" ? null : token.slice(1, -1).replaceAll("''", "'"),
      start: end - token.length,
      end,
    });
  }
  return out;
}

/** The text with the named entities' names replaced (others unchanged). */
export function renameFaces(text: string, faces: AdvancedFace[], nameOf: Map<number, string>): string {
  const parts: string[] = [];
  let at = 0;
  for (const f of faces) {
    const name = nameOf.get(f.id);
    if (name === undefined) continue;
    parts.push(text.slice(at, f.start), `'${name.replaceAll("'", "''")}'`);
    at = f.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

export interface FaceFacts {
  stepName: string | null;
  surface: string;
  area: number;
}

/** Reads STEP bytes into face records in Facet's numbering (the geometry kernel). */
export type FaceProbe = (step: Uint8Array) => Promise<FaceFacts[]>;

const PROBE_PREFIX = "facet-entity-";

/**
 * The entity number of each face, by face index. `faces` are the part's face records (the faces file
 * the labels were made on); `probe` reads a file whose faces have no usable names.
 */
export async function faceEntities(
  text: string,
  faces: ReadonlyArray<FaceFacts>,
  probe: FaceProbe | undefined,
): Promise<{ entities: number[]; all: AdvancedFace[]; by: "name" | "probe" }> {
  const all = advancedFaces(text);
  const byName = new Map<string, AdvancedFace[]>();
  for (const f of all) if (f.name) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const named = faces.map((f) => (f.stepName ? byName.get(f.stepName) : undefined));
  const distinct = new Set(faces.map((f) => f.stepName));
  if (distinct.size === faces.length && named.every((m) => m?.length === 1))
    return { entities: named.map((m) => (m as AdvancedFace[])[0]?.id as number), all, by: "name" };

  if (!probe)
    throw new Error("the file's faces have no names to join by, and no geometry kernel was given to read them");
  const renamed = renameFaces(text, all, new Map(all.map((f) => [f.id, `${PROBE_PREFIX}${f.id}`])));
  const probed = await probe(stepBytes(renamed));
  if (probed.length !== faces.length)
    throw new Error(`read again, the file has ${probed.length} faces where its faces file has ${faces.length}`);
  const entities = probed.map((p, i) => {
    const f = faces[i] as FaceFacts;
    const sameArea = Math.abs(p.area - f.area) <= 1e-6 * Math.max(1, Math.abs(f.area));
    if (p.surface !== f.surface || !sameArea)
      throw new Error(
        `read again, face ${i} is a ${p.surface} of area ${p.area}, not the ${f.surface} of area ${f.area}`,
      );
    const id = p.stepName?.startsWith(PROBE_PREFIX) ? Number(p.stepName.slice(PROBE_PREFIX.length)) : Number.NaN;
    if (!Number.isInteger(id)) throw new Error(`face ${i} is not an ADVANCED_FACE entity of the file`);
    return id;
  });
  if (new Set(entities).size !== entities.length) throw new Error("two faces are the same ADVANCED_FACE entity");
  return { entities, all, by: "probe" };
}

/** The file with face `i` named `names[i]` (faces whose name is null keep theirs). */
export async function nameFaces(
  bytes: Uint8Array,
  faces: ReadonlyArray<FaceFacts>,
  names: ReadonlyArray<string | null>,
  probe: FaceProbe | undefined,
): Promise<Uint8Array> {
  const text = stepText(bytes);
  const { entities, all } = await faceEntities(text, faces, probe);
  const nameOf = new Map<number, string>();
  entities.forEach((id, i) => {
    const name = names[i];
    if (name !== null && name !== undefined) nameOf.set(id, name);
  });
  return stepBytes(renameFaces(text, all, nameOf));
}
