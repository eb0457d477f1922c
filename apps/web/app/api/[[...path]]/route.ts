import { json } from "@/lib/api.server";

export const dynamic = "force-dynamic";

function notFound(req: Request) {
  return json({ error: { code: "NOT_FOUND", message: `no API at ${new URL(req.url).pathname}` } }, 404);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
