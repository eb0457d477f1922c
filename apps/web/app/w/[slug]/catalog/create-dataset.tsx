"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";

export function CreateDataset({ workspace }: { workspace: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      await api("POST", `/api/workspaces/${workspace}/datasets`, {
        name: f.get("name"),
        description: f.get("description"),
      });
      form.reset();
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
    }
  }
  return (
    <form className="row" onSubmit={submit} style={{ marginTop: 12 }}>
      <input name="name" placeholder="New dataset name" aria-label="New dataset name" required maxLength={120} />
      <input name="description" placeholder="Description (optional)" aria-label="Description" maxLength={4000} />
      <button type="submit">Create dataset</button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </form>
  );
}
