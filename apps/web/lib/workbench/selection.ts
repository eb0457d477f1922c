/** How a person's clicks, strokes and boxes change a face selection (the workbench and the review page). */

export interface Modifiers {
  shift: boolean;
  ctrl: boolean;
}

export const NO_FACES: ReadonlySet<number> = new Set();

/** A click: alone it selects the face, Shift adds, Ctrl toggles; on empty space it clears (unless a modifier is held). */
export function clickSelection(sel: ReadonlySet<number>, face: number | null, mods: Modifiers): ReadonlySet<number> {
  if (face === null) return mods.shift || mods.ctrl ? sel : NO_FACES;
  if (mods.ctrl) {
    const next = new Set(sel);
    if (next.has(face)) next.delete(face);
    else next.add(face);
    return next;
  }
  if (mods.shift) return new Set([...sel, face]);
  return new Set([face]);
}

/** Faces crossed by a paint stroke are added (Ctrl removes them). */
export function paintSelection(sel: ReadonlySet<number>, faces: number[], mods: Modifiers): ReadonlySet<number> {
  const next = new Set(sel);
  for (const f of faces) {
    if (mods.ctrl) next.delete(f);
    else next.add(f);
  }
  return next;
}

/** A box replaces the selection (Shift adds to it, Ctrl removes from it). */
export function boxSelection(sel: ReadonlySet<number>, faces: number[], mods: Modifiers): ReadonlySet<number> {
  if (mods.ctrl) return new Set([...sel].filter((f) => !faces.includes(f)));
  return mods.shift ? new Set([...sel, ...faces]) : new Set(faces);
}

/** Every face but those kept: what to hide to isolate them. */
export function isolating(faceCount: number, keep: ReadonlySet<number>): ReadonlySet<number> {
  return new Set(Array.from({ length: faceCount }, (_, f) => f).filter((f) => !keep.has(f)));
}

/** Hidden faces with these shown again (the same set when none of them was hidden). */
export function unhide(hidden: ReadonlySet<number>, faces: readonly number[]): ReadonlySet<number> {
  return faces.some((f) => hidden.has(f)) ? new Set([...hidden].filter((f) => !faces.includes(f))) : hidden;
}
