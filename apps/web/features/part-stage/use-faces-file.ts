"use client";

import { loadCachedBytes } from "@facet/viewer";
import { useEffect, useState } from "react";
import { messageOf } from "@/components/api-client";
import { type FacesFile, parseFacesFile } from "@/lib/workbench/faces-file";

export interface FacesFileState {
  file: FacesFile | null;
  /** Why the file could not be read, or null. */
  error: string | null;
}

/**
 * A part's faces file (surface types, sizes, adjacency), kept by the browser under its content
 * address, checked against the schema. `error` says why it could not be read.
 */
export function useFacesFile(url: string, key: string): FacesFileState {
  const [state, setState] = useState<FacesFileState>({ file: null, error: null });
  useEffect(() => {
    let cancelled = false;
    loadCachedBytes(url, key)
      .then((bytes) => {
        const file = parseFacesFile(bytes);
        if (!cancelled) setState({ file, error: null });
      })
      .catch((e: unknown) => !cancelled && setState({ file: null, error: messageOf(e) }));
    return () => {
      cancelled = true;
    };
  }, [url, key]);
  return state;
}
