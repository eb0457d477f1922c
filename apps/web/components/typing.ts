const TEXT_INPUTS = new Set(["text", "search", "number", "email", "password", "url", "tel"]);

/**
 * Whether a key press goes into a text field (so page shortcuts must leave it alone). A checkbox,
 * slider, button or menu keeps the shortcuts working.
 */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  return el.tagName === "INPUT" && TEXT_INPUTS.has((el as HTMLInputElement).type);
}
