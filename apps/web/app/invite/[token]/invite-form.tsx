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
  // A new email creates an account (its password must be hard to guess); an email with an account
  // already (someone removed earlier, or in another workspace) joins with that account's password.
  return (
    <AuthForm
      submitLabel="Join workspace"
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
        Password{" "}
        <span className="hint">new here: at least 10 characters, hard to guess; have an account: its password</span>
        <input name="password" type="password" autoComplete="new-password" required />
      </label>
      <p className="muted">
        Already have an account? Use its password above, or <a href={`/sign-in?next=/invite/${token}`}>sign in first</a>
        .
      </p>
    </AuthForm>
  );
}
