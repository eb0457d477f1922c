"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useWorkspaceLive } from "@/components/workspace-events";
import { currentNavHref } from "@/lib/nav-section";

export interface NavItem {
  label: string;
  href: string;
  key: string;
  /** A live count next to the label: parts waiting to be claimed, or waiting for review. */
  count?: "queue" | "review";
}

export function Nav({ items }: { items: NavItem[] }) {
  const path = usePathname();
  const { counts } = useWorkspaceLive();
  const base = items[0]?.href ?? "";
  const currentHref = currentNavHref(
    path,
    base,
    items.map((i) => i.href),
  );
  const countOf = (kind: NavItem["count"]): number =>
    kind === "queue"
      ? (counts.pre_labeled ?? 0) + (counts.unannotated ?? 0)
      : kind === "review"
        ? (counts.in_review ?? 0)
        : 0;
  return (
    <nav className="nav">
      {items.map((i) => {
        const n = countOf(i.count);
        return (
          <Link key={i.href} href={i.href} aria-current={currentHref === i.href ? "page" : undefined}>
            <span>
              {i.label}
              {i.count && n > 0 && (
                <span
                  className="nav-count"
                  data-testid={`nav-${i.count}-count`}
                  title={
                    i.count === "queue" ? `${n} part(s) waiting to be labelled` : `${n} part(s) waiting for review`
                  }
                >
                  {n}
                </span>
              )}
            </span>
            <kbd aria-label={`shortcut g ${i.key}`}>g {i.key}</kbd>
          </Link>
        );
      })}
    </nav>
  );
}
