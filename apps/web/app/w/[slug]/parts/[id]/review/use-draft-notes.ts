"use client";

import type { Vec3 } from "@facet/core";
import { useCallback, useMemo, useRef, useState } from "react";
import type { PartStage } from "@/features/part-stage";
import { addNote, type DraftNote, notePins, removeNote } from "@/lib/review/notes";

export interface NoteDraft {
  faceIndex: number;
  point: Vec3 | null;
  body: string;
}

/**
 * The reviewer's notes, pinned to faces: pin mode (N), the note being written at the face clicked,
 * the list, the one opened, and the pins on the part (the draft's marked "+").
 */
export function useDraftNotes(stage: PartStage) {
  const { viewer, setTool, setSelection, focusFace } = stage;
  const [pinning, setPinning] = useState(false);
  const [draft, setDraft] = useState<NoteDraft | null>(null);
  const [draftError, setDraftError] = useState<string | null>(null);
  const [notes, setNotes] = useState<DraftNote[]>([]);
  const [activeNote, setActiveNote] = useState<string | null>(null);
  const noteSeq = useRef(0);

  const togglePinning = useCallback(() => {
    if (pinning) {
      setDraft(null);
      setDraftError(null);
    } else {
      setTool("select");
    }
    setPinning(!pinning);
  }, [pinning, setTool]);

  const cancelDraft = useCallback(() => {
    setDraft(null);
    setDraftError(null);
    setPinning(false);
  }, []);

  /** In pin mode, a click on a face starts (or moves) the note being written there. */
  const pinAt = useCallback(
    (face: number, point: Vec3 | null) => {
      setDraft((d) => ({ faceIndex: face, point, body: d?.body ?? "" }));
      setDraftError(null);
      setSelection(new Set([face]));
    },
    [setSelection],
  );

  const commitDraft = useCallback(() => {
    if (!draft) return;
    const id = `note-${++noteSeq.current}`;
    const point = draft.point ?? viewer.current?.faceCentre(draft.faceIndex) ?? null;
    const result = addNote(notes, { id, body: draft.body, faceIndex: draft.faceIndex, point });
    if (result.error) {
      setDraftError(result.error);
      return;
    }
    setNotes(result.notes);
    setActiveNote(id);
    setDraft(null);
    setDraftError(null);
    setPinning(false);
  }, [draft, notes, viewer]);

  const selectNote = useCallback(
    (id: string) => {
      const note = notes.find((n) => n.id === id);
      if (!note) return;
      setActiveNote(id);
      if (note.faceIndex !== null) focusFace(note.faceIndex);
    },
    [notes, focusFace],
  );

  const remove = useCallback(
    (id: string) => {
      setNotes((list) => removeNote(list, id));
      if (activeNote === id) setActiveNote(null);
    },
    [activeNote],
  );

  const setDraftBody = useCallback((body: string) => setDraft((d) => (d ? { ...d, body } : d)), []);

  const pins = useMemo(
    () => notePins(notes, activeNote, draft ? { faceIndex: draft.faceIndex, point: draft.point } : null),
    [notes, activeNote, draft],
  );

  return {
    notes,
    activeNote,
    pinning,
    draft,
    draftError,
    pins,
    togglePinning,
    cancelDraft,
    pinAt,
    commitDraft,
    selectNote,
    remove,
    setDraftBody,
  };
}

export type DraftNotes = ReturnType<typeof useDraftNotes>;
