import { roleCan } from "@facet/core";
import { listLabelSchemas } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { SchemasAdmin } from "@/components/schemas/schemas-admin";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../not-for-role";

export const metadata: Metadata = { title: "Label schemas" };

/** The workspace's label schemas: versions, classes, new versions with mappings applied to existing labels, JSON in and out. */
export default async function SchemasPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "schemas.manage")) return <NotForRole role={workspace.role} what="label schemas" />;
  const schemas = await run((c) => listLabelSchemas(c, workspace.id));
  return (
    <>
      <h1>Label schemas</h1>
      <p className="muted">
        A schema version never changes once made: labels refer to it. Edit classes by making a new version; renames,
        merges and splits carry a mapping that you then apply to existing labels. Each dataset is labelled with one
        version (chosen on the dataset&apos;s page). <Link href={`/w/${workspace.slug}/admin`}>Members</Link>
      </p>
      <SchemasAdmin workspace={workspace.slug} schemas={schemas} />
    </>
  );
}
