import Link from "next/link";

export default function NotFound() {
  return (
    <main className="centered">
      <div className="card auth-card stack">
        <h1>Not found</h1>
        <p className="muted">This page does not exist, or you are not a member of its workspace.</p>
        <Link href="/">Go to your workspace</Link>
      </div>
    </main>
  );
}
