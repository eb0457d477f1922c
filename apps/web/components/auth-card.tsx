import type { ReactNode } from "react";
import { Logo } from "./logo";

/** The centred card of the pages seen before entering a workspace (set-up, sign-in, invitation). */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <main className="centered">
      <div className="card auth-card stack">
        <div className="brand">
          <Logo /> Facet
        </div>
        {children}
      </div>
    </main>
  );
}
