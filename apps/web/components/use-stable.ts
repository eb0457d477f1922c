"use client";

import { useCallback, useRef } from "react";

/** A function whose identity never changes but always calls the latest version (keeps memoised panels still). */
export function useStable<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  ref.current = fn;
  return useCallback((...args: A) => ref.current(...args), []);
}
