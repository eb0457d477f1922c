export function Logo() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true">
      <path d="M12 2 3 7v10l9 5 9-5V7z" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M12 12 3 7m9 5 9-5m-9 5v10" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M12 2 3 7l9 5 9-5z" fill="var(--accent)" opacity="0.35" />
    </svg>
  );
}
