import { splitMentions } from "@facet/core";
import { Fragment, useMemo } from "react";

/**
 * A comment's text, rendered AS TEXT (React escapes it; never HTML), with @mentions highlighted.
 * Line breaks are kept by CSS (white-space: pre-wrap).
 */
export function CommentText({ body, titles }: { body: string; titles?: ReadonlyMap<string, string> }) {
  const segments = useMemo(() => splitMentions(body), [body]);
  return (
    <div className="comment-body" data-testid="comment-body">
      {segments.map((s, i) =>
        "mention" in s ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text, in order
          <span key={i} className="mention" title={titles?.get(s.mention.toLowerCase())}>
            @{s.mention}
          </span>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text, in order
          <Fragment key={i}>{s.text}</Fragment>
        ),
      )}
    </div>
  );
}
