/** A job's progress: a bar (0..1) with what it is doing now, announced politely. */
export function ProgressBar({
  value,
  label,
  message,
  testId,
}: {
  value: number;
  label: string;
  message?: string | null;
  testId?: string;
}) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div className="cur-progress" data-testid={testId} data-progress={pct}>
      <progress max={100} value={pct} aria-label={label} />
      <span className="muted" role="status">
        {pct}%{message ? ` · ${message}` : ""}
      </span>
    </div>
  );
}
