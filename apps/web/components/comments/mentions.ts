/** A member one can @mention (from listMentionable). */
export interface MentionMember {
  userId: string;
  /** The part of their email before the @: what `@handle` resolves to. */
  handle: string;
  email: string;
  name: string | null;
}

/** Characters of a handle or an address, as the database's mention pattern reads them. */
const ADDRESS_CHAR = /[A-Za-z0-9._%+-]/;

/**
 * The mention being typed at the caret: `@` then address characters up to the caret, the `@` not
 * being part of an address (so "bob@exa" is not a mention). `start` is the index of the `@`.
 */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const end = Math.max(0, Math.min(caret, text.length));
  let i = end;
  while (i > 0 && ADDRESS_CHAR.test(text[i - 1] as string)) i--;
  if (i === 0 || text[i - 1] !== "@") return null;
  const at = i - 1;
  if (at > 0 && ADDRESS_CHAR.test(text[at - 1] as string)) return null;
  return { start: at, query: text.slice(i, end) };
}

/**
 * Members matching what follows the `@`, best first: handle prefix, then email prefix, then a word
 * of the name, then anywhere in handle, email or name (case-insensitive). An empty query lists all.
 */
export function matchMembers(members: readonly MentionMember[], query: string, limit = 6): MentionMember[] {
  const q = query.trim().toLowerCase();
  const scored: Array<{ m: MentionMember; score: number }> = [];
  for (const m of members) {
    const handle = m.handle.toLowerCase();
    const email = m.email.toLowerCase();
    const name = (m.name ?? "").toLowerCase();
    let score: number;
    if (q === "" || handle.startsWith(q)) score = 0;
    else if (email.startsWith(q)) score = 1;
    else if (name.split(/\s+/).some((w) => w.startsWith(q))) score = 2;
    else if (handle.includes(q) || email.includes(q) || name.includes(q)) score = 3;
    else continue;
    scored.push({ m, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.m.handle.localeCompare(b.m.handle) || a.m.email.localeCompare(b.m.email))
    .slice(0, Math.max(0, limit))
    .map((s) => s.m);
}

/**
 * What to write after the `@` to mention exactly this member: the handle, or the whole email when
 * another member has the same handle (it would mention both) or the handle ends in `.`, `_` or `-`
 * (mentions drop those, so it would mention nobody).
 */
export function mentionToken(member: MentionMember, members: readonly MentionMember[]): string {
  const handle = member.handle.toLowerCase();
  const shared = members.some((m) => m.userId !== member.userId && m.handle.toLowerCase() === handle);
  if (shared || /[._-]$/.test(member.handle) || member.handle.length === 0) return member.email;
  return member.handle;
}

/** Replace the `@query` between `start` and `caret` by `@token ` and put the caret after it. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  token: string,
): { text: string; caret: number } {
  const before = text.slice(0, start);
  const after = text.slice(caret);
  const inserted = `@${token}${/^\s/.test(after) ? "" : " "}`;
  return { text: before + inserted + after, caret: before.length + inserted.length + (/^\s/.test(after) ? 1 : 0) };
}
