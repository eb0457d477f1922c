/** What an action did (a notice) or why it failed (an alert), announced as it changes. */
export function Outcome({ message, error, testId }: { message: string | null; error: string | null; testId?: string }) {
  return (
    <div aria-live="polite">
      {message && (
        <p role="status" className="notice" data-testid={testId}>
          {message}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
