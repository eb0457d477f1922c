"use client";

import { useRouter } from "next/navigation";
import { api } from "@/components/api-client";
import { AuthForm } from "@/components/auth-form";

export function SetupForm() {
  const router = useRouter();
  return (
    <AuthForm
      submitLabel="Create admin and workspace"
      onSubmit={async (f) => {
        const r = await api<{ workspace: { slug: string } }>("POST", "/api/setup", {
          email: f.get("email"),
          password: f.get("password"),
          workspaceName: f.get("workspaceName"),
        });
        router.replace(`/w/${r.workspace.slug}`);
        router.refresh();
      }}
    >
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required autoFocus />
      </label>
      <label>
        Password <span className="hint">at least 10 characters</span>
        <input name="password" type="password" autoComplete="new-password" required minLength={10} />
      </label>
      <label>
        Workspace name
        <input name="workspaceName" defaultValue="My workspace" required maxLength={80} />
      </label>
    </AuthForm>
  );
}
