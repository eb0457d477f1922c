import { splitMentions } from "@facet/core";
import { Fragment, useMemo } from "react";

/**
 * A comment's text, rendered AS TEXT (React escapes it; never HTML), with the @mentions that name a
 * member highlighted (`mentioned` gives their email, or null: then the handle stays plain text).
 * Line breaks are kept by CSS (white-space: pre-wrap).
 */
export function CommentText({ body, mentioned }: { body: string; mentioned?: (handle: string) => string | null }) {
  const segments = useMemo(() => splitMentions(body), [body]);
  return (
    <div className="comment-body" data-testid="comment-body">
      {segments.map((s, i) =>
        "mention" in s && mentioned?.(s.mention) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text, in order
          <span key={i} className="mention" title={mentioned(s.mention) ?? undefined}>
            @{s.mention}
          </span>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text, in order
          <Fragment key={i}>{"mention" in s ? `@${s.mention}` : s.text}</Fragment>
        ),
      )}
    </div>
  );
}
