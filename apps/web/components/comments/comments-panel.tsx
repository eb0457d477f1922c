"use client";

import type { Vec3 } from "@facet/core";
import type { CommentRow, CommentThread } from "@facet/db";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { useWorkspaceEvent } from "@/components/workspace-events";
import { CommentText } from "./comment-text";
import { MentionTextarea } from "./mention-textarea";
import type { MentionMember } from "./mentions";
import { Time } from "./time";

export type { CommentRow, CommentThread } from "@facet/db";

/** A pin picked elsewhere (a face and/or a point of the part) for the next comment. */
export interface PinDraft {
  faceIndex?: number;
  point?: Vec3;
}

export interface CommentsPanelProps {
  /** The part whose comments these are. */
  partId: string;
  /** The workspace's slug: the comments are read and written at /api/workspaces/<slug>/parts/<partId>/comments. */
  workspace?: string;
  /** Another collection URL (GET threads, POST comments), e.g. /api/share/<token>/comments. */
  url?: string;
  initialThreads: CommentThread[];
  /** Whether the viewer may comment and reply. */
  canComment: boolean;
  /** Whether the viewer may resolve and reopen threads (default: may comment and is not a guest). */
  canResolve?: boolean;
  /** A guest with a share link: says who they are in a "Your name" field; nobody is mentioned. */
  guest?: boolean;
  /** Members for the @ autocomplete (and to name who resolved a thread). */
  mentionable?: MentionMember[];
  /** Show a face of the part (a "face 12" chip was clicked); without it the chips are plain text. */
  onFocusFace?: (face: number) => void;
  /** A pin picked elsewhere: the next comment is pinned to it. */
  pinDraft?: PinDraft | null;
  onClearPin?: () => void;
  /** The part's current face numbering: faces of comments pinned on another are not focusable. */
  faceSignature?: string | null;
  /** A thread to highlight (its pin was picked on the part). */
  activeId?: string | null;
  /** Told whenever the threads change (to draw pins). */
  onThreadsChange?: (threads: CommentThread[]) => void;
  /** Read the threads again when the page gets the focus back (pages without live events). */
  refreshOnFocus?: boolean;
  /** Shown instead of the form when the viewer may not comment. */
  readOnlyText?: string;
}

const GUEST_NAME_KEY = "facet.guestName";

function FaceChip({
  comment,
  onFocusFace,
  faceSignature,
}: {
  comment: CommentRow;
  onFocusFace?: (face: number) => void;
  faceSignature?: string | null;
}) {
  const face = comment.faceIndex;
  if (face === null) {
    return comment.point ? <span className="comment-chip">pinned to a point</span> : null;
  }
  const stale = Boolean(faceSignature && comment.faceSignature && comment.faceSignature !== faceSignature);
  if (onFocusFace && !stale) {
    return (
      <button type="button" className="comment-chip" onClick={() => onFocusFace(face)} title="Show this face">
        face {face}
      </button>
    );
  }
  return (
    <span className="comment-chip" title={stale ? "pinned on an older face numbering of the part" : undefined}>
      face {face}
    </span>
  );
}

function CommentItem({
  comment,
  titles,
  chip,
}: {
  comment: CommentRow;
  titles: ReadonlyMap<string, { email: string; userId: string }>;
  chip?: ReactNode;
}) {
  // a mention is shown as one only when the database resolved it to a member (comment.mentions)
  const mentioned = (handle: string) => {
    const who = titles.get(handle.toLowerCase());
    return who && comment.mentions.includes(who.userId) ? who.email : null;
  };
  return (
    <div className="comment" data-comment-id={comment.id}>
      <div className="comment-head">
        <strong className="comment-author">{comment.authorName}</strong>
        <span className="muted">
          <Time iso={comment.createdAt} />
        </span>
        {comment.kind === "review_note" && <span className="comment-tag">Review note</span>}
        {comment.revisionNo !== null && comment.parentId === null && (
          <span className="muted comment-rev" title="The part's latest revision when this was written">
            rev {comment.revisionNo}
          </span>
        )}
        {chip}
      </div>
      <CommentText body={comment.body} mentioned={mentioned} />
    </div>
  );
}

/**
 * A part's comment threads, oldest first: replies, resolve / reopen, @mentions with autocomplete,
 * pins shown as "face N" chips. Inside a workspace page it refreshes itself on the workspace's
 * `comment` events; elsewhere (the share page) after posting and, optionally, on focus.
 */
export function CommentsPanel(props: CommentsPanelProps) {
  const {
    partId,
    canComment,
    guest = false,
    mentionable = [],
    pinDraft = null,
    onFocusFace,
    onClearPin,
    faceSignature,
    activeId,
  } = props;
  const url = props.url ?? `/api/workspaces/${encodeURIComponent(props.workspace ?? "")}/parts/${partId}/comments`;
  const canResolve = props.canResolve ?? (canComment && !guest);
  const [threads, setThreads] = useState<CommentThread[]>(props.initialThreads);
  const [body, setBody] = useState("");
  const [guestName, setGuestName] = useState("");
  const [posting, setPosting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const members = guest ? [] : mentionable;

  // who is who: mentions get their email as a tooltip, resolvers are named
  const titles = useMemo(() => {
    const m = new Map<string, { email: string; userId: string }>();
    for (const p of mentionable) {
      m.set(p.handle.toLowerCase(), { email: p.email, userId: p.userId });
      m.set(p.email.toLowerCase(), { email: p.email, userId: p.userId });
    }
    return m;
  }, [mentionable]);
  const nameOf = useCallback(
    (userId: string | null) => {
      const p = userId ? mentionable.find((x) => x.userId === userId) : undefined;
      return p ? p.name || p.email : null;
    },
    [mentionable],
  );

  // reading again: the newest answer wins, bursts of events make one request
  const seq = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const r = await api<{ threads: CommentThread[] }>("GET", url);
      if (mine === seq.current) setThreads(r.threads);
    } catch {
      // keep what is shown; the next event or action reads again
    }
  }, [url]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const soon = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void refresh(), 120);
  }, [refresh]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  useWorkspaceEvent<{ partId?: string }>("comment", (d) => {
    if (d.partId === partId) soon();
  });
  // events missed while the stream was down: read again on every (re)connection
  useWorkspaceEvent("hello", () => soon());

  useEffect(() => {
    if (!props.refreshOnFocus) return;
    const onVisible = () => {
      if (document.visibilityState === "visible") soon();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [props.refreshOnFocus, soon]);

  const changed = useRef(props.onThreadsChange);
  useEffect(() => {
    changed.current = props.onThreadsChange;
  });
  useEffect(() => {
    changed.current?.(threads);
  }, [threads]);

  useEffect(() => {
    if (!guest) return;
    try {
      setGuestName(window.localStorage.getItem(GUEST_NAME_KEY) ?? "");
    } catch {
      // storage may be off
    }
  }, [guest]);

  const post = async (input: { body: string; parentId?: string; pin?: PinDraft | null }): Promise<boolean> => {
    const text = input.body.trim();
    if (!text) return false;
    const name = guestName.trim();
    if (guest && !name) {
      setError("Say who you are: type your name first.");
      return false;
    }
    setPosting(true);
    setError(null);
    try {
      const payload: Record<string, unknown> = { body: text };
      if (input.parentId) payload.parentId = input.parentId;
      if (guest) payload.authorName = name;
      if (!guest && input.pin?.faceIndex !== undefined) payload.faceIndex = input.pin.faceIndex;
      if (!guest && input.pin?.point !== undefined) payload.point = input.pin.point;
      const { comment } = await api<{ comment: CommentRow }>("POST", url, payload);
      setThreads((ts) =>
        comment.parentId === null
          ? ts.some((t) => t.id === comment.id)
            ? ts
            : [...ts, { ...comment, replies: [] }]
          : ts.map((t) =>
              t.id === comment.parentId && !t.replies.some((r) => r.id === comment.id)
                ? { ...t, replies: [...t.replies, comment] }
                : t,
            ),
      );
      if (guest) {
        try {
          window.localStorage.setItem(GUEST_NAME_KEY, name);
        } catch {
          // storage may be off
        }
      }
      void refresh();
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    } finally {
      setPosting(false);
    }
  };

  const setResolved = async (thread: CommentThread, resolved: boolean) => {
    setError(null);
    try {
      const { comment } = await api<{ comment: CommentRow }>("PATCH", `${url}/${thread.id}`, { resolved });
      setThreads((ts) =>
        ts.map((t) =>
          t.id === thread.id ? { ...t, resolvedAt: comment.resolvedAt, resolvedBy: comment.resolvedBy } : t,
        ),
      );
      void refresh();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const submitNew = async () => {
    if (await post({ body, pin: pinDraft })) {
      setBody("");
      if (pinDraft) onClearPin?.();
    }
  };

  const open = threads.filter((t) => !t.resolvedAt).length;
  return (
    <div className="comments" data-testid="comments">
      <p className="muted comments-summary">
        {threads.length === 0
          ? "No comments yet."
          : `${threads.length} thread${threads.length === 1 ? "" : "s"} · ${open} open`}
      </p>
      {threads.length > 0 && (
        <ol className="comment-threads">
          {threads.map((t, i) => {
            const resolved = t.resolvedAt !== null;
            const showAll = !resolved || expanded.has(t.id);
            const resolver = nameOf(t.resolvedBy);
            return (
              <li
                key={t.id}
                id={`comment-${t.id}`}
                className={`comment-thread${resolved ? " resolved" : ""}${activeId === t.id ? " active" : ""}`}
                data-testid="comment-thread"
                data-resolved={resolved ? "yes" : "no"}
                data-kind={t.kind}
                data-face={t.faceIndex ?? undefined}
                data-number={i + 1}
              >
                <CommentItem
                  comment={t}
                  titles={titles}
                  chip={<FaceChip comment={t} onFocusFace={onFocusFace} faceSignature={faceSignature} />}
                />
                {resolved && (
                  <p className="muted comment-resolved">
                    Resolved{resolver ? ` by ${resolver}` : ""} · <Time iso={t.resolvedAt as string} />
                  </p>
                )}
                {showAll && t.replies.length > 0 && (
                  <ol className="comment-replies">
                    {t.replies.map((r) => (
                      <li key={r.id}>
                        <CommentItem comment={r} titles={titles} />
                      </li>
                    ))}
                  </ol>
                )}
                <div className="row comment-actions">
                  {resolved && t.replies.length > 0 && (
                    <button
                      type="button"
                      className="link"
                      aria-expanded={showAll}
                      onClick={() =>
                        setExpanded((s) => {
                          const next = new Set(s);
                          if (next.has(t.id)) next.delete(t.id);
                          else next.add(t.id);
                          return next;
                        })
                      }
                    >
                      {showAll ? "Hide thread" : `Show thread (${t.replies.length} more)`}
                    </button>
                  )}
                  {canComment && showAll && replyTo !== t.id && (
                    <button type="button" onClick={() => setReplyTo(t.id)}>
                      Reply
                    </button>
                  )}
                  {canResolve && (
                    <button type="button" onClick={() => void setResolved(t, !resolved)}>
                      {resolved ? "Reopen" : "Resolve"}
                    </button>
                  )}
                </div>
                {canComment && replyTo === t.id && (
                  <ReplyForm
                    members={members}
                    posting={posting}
                    onCancel={() => setReplyTo(null)}
                    onSend={async (text) => {
                      if (await post({ body: text, parentId: t.id })) {
                        setReplyTo(null);
                        return true;
                      }
                      return false;
                    }}
                  />
                )}
              </li>
            );
          })}
        </ol>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {canComment ? (
        <form
          className="comment-form stack"
          onSubmit={(e) => {
            e.preventDefault();
            void submitNew();
          }}
        >
          {guest && (
            <label>
              Your name
              <input
                value={guestName}
                onChange={(e) => setGuestName(e.target.value)}
                maxLength={80}
                autoComplete="name"
                placeholder="Who is writing (shown with your comments)"
              />
            </label>
          )}
          {pinDraft && (pinDraft.faceIndex !== undefined || pinDraft.point !== undefined) && (
            <div className="row comment-pin" data-testid="comment-pin">
              <span>
                Pinned to {pinDraft.faceIndex !== undefined ? `face ${pinDraft.faceIndex}` : "a point of the part"}
              </span>
              {onClearPin && (
                <button type="button" className="link" onClick={onClearPin}>
                  Unpin
                </button>
              )}
            </div>
          )}
          <MentionTextarea
            label="Comment"
            value={body}
            onChange={setBody}
            members={members}
            placeholder={guest ? "Write a comment" : "Write a comment; @ mentions a member"}
            onSubmit={() => void submitNew()}
            disabled={posting}
          />
          <div className="row">
            <button type="submit" className="primary" disabled={posting || body.trim().length === 0}>
              Comment
            </button>
            <span className="muted">Ctrl+Enter sends{guest ? "" : " · @ mentions a member (they are notified)"}</span>
          </div>
        </form>
      ) : (
        <p className="muted" data-testid="comments-read-only">
          {props.readOnlyText ?? "Your role lets you read comments, not write them."}
        </p>
      )}
    </div>
  );
}

function ReplyForm({
  members,
  posting,
  onSend,
  onCancel,
}: {
  members: readonly MentionMember[];
  posting: boolean;
  onSend: (text: string) => Promise<boolean>;
  onCancel: () => void;
}) {
  const [text, setText] = useState("");
  const send = async () => {
    if (await onSend(text)) setText("");
  };
  return (
    <form
      className="comment-reply stack"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <MentionTextarea
        label="Reply"
        value={text}
        onChange={setText}
        members={members}
        rows={2}
        autoFocus
        placeholder="Write a reply"
        onSubmit={() => void send()}
        disabled={posting}
      />
      <div className="row">
        <button type="submit" className="primary" disabled={posting || text.trim().length === 0}>
          Reply
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
