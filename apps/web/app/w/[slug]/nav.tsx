"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavItem {
  label: string;
  href: string;
  key: string;
}

export function Nav({ items }: { items: NavItem[] }) {
  const path = usePathname();
  const current = [...items]
    .sort((a, b) => b.href.length - a.href.length)
    .find((i) => path === i.href || path.startsWith(`${i.href}/`));
  return (
    <nav className="nav">
      {items.map((i) => (
        <Link key={i.href} href={i.href} aria-current={current?.href === i.href ? "page" : undefined}>
          <span>{i.label}</span>
          <kbd aria-label={`shortcut g ${i.key}`}>g {i.key}</kbd>
        </Link>
      ))}
    </nav>
  );
}
