/**
 * One line of CSV (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled.
 * A text field that a spreadsheet would read as a formula (starting with =, +, -, @, tab or carriage
 * return) gets a leading apostrophe: audit data carries names people typed, and a CSV opened in a
 * spreadsheet must not run them (OWASP "CSV injection"). Numbers are written as they are.
 */
export function csvLine(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "string") return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
