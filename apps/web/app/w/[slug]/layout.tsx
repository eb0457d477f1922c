import { navSectionsFor, ROLE_LABELS, roleCan } from "@facet/core";
import { partCountsByStatus, unreadNotifications } from "@facet/db";
import type { ReactNode } from "react";
import { KeyHelpProvider } from "@/components/key-help";
import { Logo } from "@/components/logo";
import { NotificationsBell } from "@/components/notifications";
import { WorkspaceEventsProvider } from "@/components/workspace-events";
import { requireWorkspace } from "@/lib/session.server";
import { Nav, type NavItem } from "./nav";
import { Shortcuts } from "./shortcuts";
import { SignOutButton } from "./sign-out-button";
import { WorkspaceSwitcher } from "./workspace-switcher";

export const dynamic = "force-dynamic";

const SECTIONS: Record<string, { label: string; path: string; key: string; count?: NavItem["count"] }> = {
  home: { label: "Overview", path: "", key: "h" },
  queue: { label: "My queue", path: "/queue", key: "q", count: "queue" },
  review: { label: "Review", path: "/review", key: "r", count: "review" },
  catalog: { label: "Catalog", path: "/catalog", key: "c" },
  quality: { label: "Quality", path: "/quality", key: "l" },
  snapshots: { label: "Snapshots", path: "/snapshots", key: "s" },
  admin: { label: "Admin", path: "/admin", key: "a" },
};

export default async function WorkspaceLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  const { viewer, workspace, workspaces, run } = await requireWorkspace(slug);
  // label quality (pre-label acceptance) for those who run datasets: admins, engineers, ML engineers
  const sections = navSectionsFor(workspace.role).flatMap((s) =>
    s === "catalog" && roleCan(workspace.role, "datasets.create") ? [s, "quality"] : [s],
  );
  const items: NavItem[] = ["home", ...sections].map((s) => {
    const sec = SECTIONS[s] as (typeof SECTIONS)[string];
    return {
      label: sec.label,
      href: `/w/${workspace.slug}${sec.path}`,
      key: sec.key,
      ...(sec.count ? { count: sec.count } : {}),
    };
  });
  // the first numbers of the live counts (the workspace's event stream keeps them up to date)
  const [counts, unread] = await run(
    async (c) => [await partCountsByStatus(c, workspace.id), await unreadNotifications(c, workspace.id)] as const,
  );
  return (
    <WorkspaceEventsProvider slug={workspace.slug} initialCounts={counts} initialUnread={unread}>
      <KeyHelpProvider>
        <div className="shell">
          <a className="skip" href="#main">
            Skip to content
          </a>
          <aside className="sidebar" aria-label="Workspace navigation">
            <div className="brand">
              <Logo /> Facet
              <NotificationsBell workspace={workspace.slug} />
            </div>
            <WorkspaceSwitcher
              current={workspace.slug}
              workspaces={workspaces.map((w) => ({ slug: w.slug, name: w.name }))}
            />
            <Nav items={items} />
            <div className="spacer" />
            <div className="who">
              <div data-testid="viewer-email">{viewer.email}</div>
              <div>
                {ROLE_LABELS[workspace.role]} in {workspace.name}
              </div>
              <div className="muted">
                Press <kbd>?</kbd> for shortcuts
              </div>
            </div>
            <SignOutButton />
          </aside>
          <main className="main" id="main">
            {children}
          </main>
          <Shortcuts items={items} />
        </div>
      </KeyHelpProvider>
    </WorkspaceEventsProvider>
  );
}
