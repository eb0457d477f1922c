"use client";

import { createContext, type ReactNode, useContext, useEffect, useId, useMemo, useState } from "react";

/** Keys and what they do, as the `?` list shows them: `[["G", "Grow the selection"], ...]`. */
export type KeyList = ReadonlyArray<readonly [keys: string, what: string]>;

export interface KeySection {
  title: string;
  keys: KeyList;
}

interface Registry {
  set(id: string, section: KeySection | null): void;
}

const RegistryContext = createContext<Registry | null>(null);
const SectionsContext = createContext<KeySection[]>([]);

/**
 * Collects the keys of what is on the page (the part stage, the workbench, the queue...) so that the
 * `?` list shows every key that works where the person is, not only the navigation.
 */
export function KeyHelpProvider({ children }: { children: ReactNode }) {
  const [sections, setSections] = useState<ReadonlyMap<string, KeySection>>(new Map());
  const registry = useMemo<Registry>(
    () => ({
      set: (id, section) =>
        setSections((prev) => {
          const next = new Map(prev);
          if (section) next.set(id, section);
          else next.delete(id);
          return next;
        }),
    }),
    [],
  );
  const list = useMemo(() => [...sections.values()], [sections]);
  return (
    <RegistryContext.Provider value={registry}>
      <SectionsContext.Provider value={list}>{children}</SectionsContext.Provider>
    </RegistryContext.Provider>
  );
}

/** Lists these keys under `title` in the `?` list while the calling component is on the page. */
export function useKeyHelp(title: string, keys: KeyList): void {
  const registry = useContext(RegistryContext);
  const id = useId();
  const json = JSON.stringify(keys);
  useEffect(() => {
    if (!registry) return;
    registry.set(id, { title, keys: JSON.parse(json) as KeyList });
    return () => registry.set(id, null);
  }, [registry, id, title, json]);
}

/** The keys the page's components listed. */
export function usePageKeys(): KeySection[] {
  return useContext(SectionsContext);
}

/** While the `?` list is open the page behind ignores keys (the list takes Escape and `?`). */
export function keyHelpOpen(): boolean {
  return typeof document !== "undefined" && document.body.dataset.keyHelp === "open";
}
