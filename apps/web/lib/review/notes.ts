import type { ReviewDecision, Vec3 } from "@facet/core";
import type { Pin } from "@facet/viewer";

/** A note the reviewer is writing, pinned to a face and the point of the face they clicked. */
export interface DraftNote {
  id: string;
  body: string;
  faceIndex: number | null;
  point: Vec3 | null;
}

/** The longest note the server accepts. */
export const NOTE_MAX_LENGTH = 5000;

/**
 * The list with a new note at the end. The body is trimmed; an empty body, a body over the limit or
 * a note pinned to nothing (no face, no point) is refused with the reason.
 */
export function addNote(
  notes: readonly DraftNote[],
  note: { id: string; body: string; faceIndex: number | null; point: Vec3 | null },
): { notes: DraftNote[]; error: string | null } {
  const body = note.body.trim();
  if (body.length === 0) return { notes: [...notes], error: "write the note first" };
  if (body.length > NOTE_MAX_LENGTH) {
    return { notes: [...notes], error: `a note is at most ${NOTE_MAX_LENGTH} characters` };
  }
  if (note.faceIndex === null && note.point === null) {
    return { notes: [...notes], error: "pin the note to a face: click one" };
  }
  if (notes.some((n) => n.id === note.id)) return { notes: [...notes], error: "that note is in the list already" };
  return { notes: [...notes, { ...note, body }], error: null };
}

export function removeNote(notes: readonly DraftNote[], id: string): DraftNote[] {
  return notes.filter((n) => n.id !== id);
}

/** A note's number as shown in the list and on its pin (1-based), or null when it is not in the list. */
export function noteNumber(notes: readonly DraftNote[], id: string): number | null {
  const i = notes.findIndex((n) => n.id === id);
  return i < 0 ? null : i + 1;
}

/** Numbered pins for the viewer: every note with a point, and the note being written (marked "+"). */
export function notePins(
  notes: readonly DraftNote[],
  activeId: string | null,
  draft: { faceIndex: number | null; point: Vec3 | null } | null = null,
): Pin[] {
  const pins: Pin[] = [];
  notes.forEach((n, i) => {
    if (!n.point) return;
    const where = n.faceIndex === null ? "" : `face ${n.faceIndex}: `;
    pins.push({
      id: n.id,
      point: n.point,
      label: String(i + 1),
      title: `${i + 1}. ${where}${n.body}`,
      active: n.id === activeId,
    });
  });
  if (draft?.point) pins.push({ id: "draft", point: draft.point, label: "+", title: "New note", active: true });
  return pins;
}

/** A rejection must say what to fix: a summary or at least one note. */
export function canReject(notes: readonly DraftNote[], summary: string): boolean {
  return notes.length > 0 || summary.trim().length > 0;
}

export interface ReviewPayload {
  decision: ReviewDecision;
  revisionNo: number;
  summary?: string;
  notes: Array<{ body: string; faceIndex?: number; point?: Vec3 }>;
}

/** The body of POST …/parts/<id>/review: empty summaries and missing pins are left out. */
export function reviewPayload(
  decision: ReviewDecision,
  revisionNo: number,
  summary: string,
  notes: readonly DraftNote[],
): ReviewPayload {
  const text = summary.trim();
  return {
    decision,
    revisionNo,
    ...(text ? { summary: text } : {}),
    notes: notes.map((n) => ({
      body: n.body,
      ...(n.faceIndex === null ? {} : { faceIndex: n.faceIndex }),
      ...(n.point === null ? {} : { point: n.point }),
    })),
  };
}
