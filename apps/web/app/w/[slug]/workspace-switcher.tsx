"use client";

import { useRouter } from "next/navigation";

export function WorkspaceSwitcher({
  current,
  workspaces,
}: {
  current: string;
  workspaces: Array<{ slug: string; name: string }>;
}) {
  const router = useRouter();
  return (
    <label>
      <span className="hint">Workspace</span>
      <select aria-label="Workspace" value={current} onChange={(e) => router.push(`/w/${e.target.value}`)}>
        {workspaces.map((w) => (
          <option key={w.slug} value={w.slug}>
            {w.name}
          </option>
        ))}
      </select>
    </label>
  );
}
