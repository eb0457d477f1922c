/** Files from a drop: plain files, and every file inside dropped folders (recursively). */
export async function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(data.items)) {
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  // browsers without the entries API still give the dropped files (not folders)
  if (entries.length === 0) return Array.from(data.files);
  const out: File[] = [];
  async function visit(entry: FileSystemEntry): Promise<void> {
    if (entry.isFile) {
      out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns at most ~100 entries a call: read until it returns none
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await visit(child);
      }
    }
  }
  for (const e of entries) await visit(e);
  return out;
}

export const STEP_EXTENSIONS = [".step", ".stp", ".p21"];

export function isStepName(name: string): boolean {
  const lower = name.toLowerCase();
  return STEP_EXTENSIONS.some((ext) => lower.endsWith(ext));
}
