"use client";

import { useRouter } from "next/navigation";
import { api } from "@/components/api-client";

export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      onClick={async () => {
        await api("POST", "/api/auth/sign-out");
        router.replace("/sign-in");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
