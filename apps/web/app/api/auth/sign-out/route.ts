import { cookieJar, json, methods, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/** End this browser's session (its refresh token too); its open live streams close at once. */
const post = route(async () => {
  await (await context()).auth.signOut(await cookieJar());
  return json({ signedOut: true });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
