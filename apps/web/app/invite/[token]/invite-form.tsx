"use client";

import { useRouter } from "next/navigation";
import { api } from "@/components/api-client";
import { AuthForm } from "@/components/auth-form";

export function InviteForm({
  token,
  signedInAs,
  email,
}: {
  token: string;
  signedInAs: string | null;
  email: string | null;
}) {
  const router = useRouter();
  const go = (slug: string) => {
    router.replace(`/w/${slug}`);
    router.refresh();
  };
  if (signedInAs) {
    return (
      <AuthForm
        submitLabel="Accept invitation"
        onSubmit={async () => go((await api<{ slug: string }>("POST", `/api/invitations/${token}/accept`, {})).slug)}
      >
        <p className="muted">Signed in as {signedInAs}.</p>
      </AuthForm>
    );
  }
  return (
    <AuthForm
      submitLabel="Create account and join"
      onSubmit={async (f) => {
        const r = await api<{ slug: string }>("POST", `/api/invitations/${token}/accept`, {
          email: f.get("email"),
          password: f.get("password"),
        });
        go(r.slug);
      }}
    >
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={email ?? ""}
          readOnly={Boolean(email)}
        />
      </label>
      <label>
        Password <span className="hint">at least 10 characters</span>
        <input name="password" type="password" autoComplete="new-password" required minLength={10} />
      </label>
      <p className="muted">
        Already have an account? <a href={`/sign-in?next=/invite/${token}`}>Sign in first</a>.
      </p>
    </AuthForm>
  );
}
