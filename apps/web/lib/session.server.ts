import "server-only";
import { isAppError } from "@facet/core";
import {
  type Claims,
  getWorkspaceForMember,
  listMyWorkspaces,
  type PoolClient,
  type WorkspaceSummary,
  withUser,
} from "@facet/db";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { cookieJar } from "./api.server";
import { context } from "./context.server";

export interface Viewer {
  claims: Claims;
  email: string;
}

/** The signed-in person, or null (an expired or revoked session counts as signed out). */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  try {
    const claims = await (await context()).auth.authenticate(await cookieJar());
    return claims ? { claims, email: claims.email ?? "" } : null;
  } catch (e) {
    if (isAppError(e) && e.status === 401) return null;
    throw e;
  }
});

export async function requireViewer(next = "/"): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/sign-in?next=${encodeURIComponent(next)}`);
  return viewer;
}

export interface WorkspacePage {
  viewer: Viewer;
  workspace: WorkspaceSummary;
  workspaces: WorkspaceSummary[];
  /** A transaction as the viewer, scoped to this workspace (the database sees no other one). */
  run<T>(fn: (c: PoolClient) => Promise<T>): Promise<T>;
}

export const requireWorkspace = cache(async (slug: string): Promise<WorkspacePage> => {
  const viewer = await requireViewer(`/w/${slug}`);
  const { pool } = await context();
  try {
    const found = await withUser(pool, viewer.claims, async (c) => ({
      workspace: await getWorkspaceForMember(c, slug),
      workspaces: await listMyWorkspaces(c),
    }));
    const scope = { workspaceId: found.workspace.id };
    return {
      viewer,
      ...found,
      run: <T>(fn: (c: PoolClient) => Promise<T>) => withUser(pool, viewer.claims, fn, scope),
    };
  } catch (e) {
    if (isAppError(e) && e.code === "NOT_A_MEMBER") notFound();
    throw e;
  }
});

/** A transaction as the viewer, outside any one workspace (pages under /w/<slug> use `run`). */
export async function asUser<T>(viewer: Viewer, fn: Parameters<typeof withUser<T>>[2]): Promise<T> {
  return withUser((await context()).pool, viewer.claims, fn);
}
