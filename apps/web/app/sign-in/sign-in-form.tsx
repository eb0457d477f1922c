"use client";

import { safeRedirectPath } from "@facet/core";
import { useRouter } from "next/navigation";
import { api } from "@/components/api-client";
import { AuthForm } from "@/components/auth-form";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  return (
    <AuthForm
      submitLabel="Sign in"
      onSubmit={async (f) => {
        const r = await api<{ workspaces: unknown[] }>("POST", "/api/auth/sign-in", {
          email: f.get("email"),
          password: f.get("password"),
        });
        // no workspace any more (removed everywhere): home says so, rather than a page they cannot see
        router.replace(r.workspaces.length === 0 ? "/" : safeRedirectPath(next)); // checked again where it is used
        router.refresh();
      }}
    >
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
    </AuthForm>
  );
}
