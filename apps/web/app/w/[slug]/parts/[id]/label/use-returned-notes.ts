"use client";

import type { CommentRow } from "@facet/db";
import type { Pin } from "@facet/viewer";
import { useCallback, useMemo, useState } from "react";
import type { PartStage } from "@/features/part-stage";

/**
 * The notes of the rejection a returned part came back with: the list (those on this face
 * numbering), their pins on the part (a note's point, or the centre of its face), numbered like the
 * list, the one opened, and "Fixed" / "Reopen" as the annotator resolves them.
 */
export function useReturnedNotes(stage: PartStage, initial: CommentRow[], faceSignature: string) {
  const { model, viewer, focusFace } = stage;
  const [notes, setNotes] = useState<CommentRow[]>(initial);
  const [activeNote, setActiveNote] = useState<string | null>(null);

  const shown = useMemo(
    () => notes.filter((n) => n.faceIndex === null || n.faceSignature === faceSignature),
    [notes, faceSignature],
  );
  const pins = useMemo<Pin[]>(() => {
    if (!model) return [];
    return shown.flatMap((n, i) => {
      const point = n.point ?? (n.faceIndex !== null ? (viewer.current?.faceCentre(n.faceIndex) ?? null) : null);
      if (!point) return [];
      return [
        { id: n.id, point, label: String(i + 1), title: n.body, active: n.id === activeNote, muted: !!n.resolvedAt },
      ];
    });
  }, [model, shown, activeNote, viewer]);

  const open = useCallback(
    (note: CommentRow) => {
      setActiveNote(note.id);
      if (note.faceIndex !== null) focusFace(note.faceIndex);
    },
    [focusFace],
  );
  const onPinSelect = useCallback(
    (id: string) => {
      const note = notes.find((n) => n.id === id);
      if (note) open(note);
    },
    [notes, open],
  );
  const resolved = useCallback(
    (updated: CommentRow) => setNotes((list) => list.map((n) => (n.id === updated.id ? updated : n))),
    [],
  );

  return { notes: shown, activeNote, pins, open, onPinSelect, resolved };
}
