/**
 * How Facet writes times: a day and a day with its time in UTC (the same on the server and in the
 * browser, so server-rendered text hydrates), and how long ago something happened. One set of rules
 * for every page: comments, part history, notifications, share links and the review queue.
 */

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const DAY_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
  timeZone: "UTC",
});

/** "30 Nov 2026" (UTC: the same on the server and in the browser). */
export function formatDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DAY.format(d);
}

/** "30 Nov 2026, 14:05 UTC" (the server's rendering of a time, before the browser shows it locally). */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${DAY_TIME.format(d)} UTC`;
}

/**
 * How long ago: "just now", "5 min ago", "3 h ago", "2 d ago", then the day ("30 Nov 2026") from a
 * week on. Times in the future (clock skew) read "just now"; what is not a time is returned as it is.
 */
export function formatRelative(iso: string, now: number): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = (now - t) / 1000;
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${Math.max(1, minutes)} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return `${days} d ago`;
  return formatDay(iso);
}
