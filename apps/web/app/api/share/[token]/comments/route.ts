import { AppError, guestCommentSchema } from "@facet/core";
import { addGuestComment, listComments } from "@facet/db";
import { json, methods, parseBody, requestContext, route } from "@/lib/api.server";
import { asGuest, commentForGuests, threadsForGuests } from "@/lib/share.server";

export const dynamic = "force-dynamic";

const get = route<{ token: string }>(async (_req, params) => {
  const threads = await asGuest(params.token, (c, link) => listComments(c, link.partId));
  return json({ threads: threadsForGuests(threads) });
});

/** A guest comments through a link with comment rights (FORBIDDEN with a read-only link). */
const post = route<{ token: string }>(async (req, params) => {
  const comment = await parseBody(req, guestCommentSchema);
  const created = await asGuest(
    params.token,
    (c, link) => {
      if (link.access !== "comment")
        throw new AppError("FORBIDDEN", "this link lets you read the part, not comment on it");
      return addGuestComment(c, link.partId, comment);
    },
    requestContext(req),
  );
  return json({ comment: commentForGuests(created) }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
