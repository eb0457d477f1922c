/** How a member is named to admins: their display name and email, or the label an erasure left. */
export function memberName(m: { displayName: string | null; email: string; erasedAt: string | null }): string {
  if (m.erasedAt || !m.email) return m.displayName ?? "Former member";
  return m.displayName ? `${m.displayName} · ${m.email}` : m.email;
}
