"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { Outcome } from "./outcome";

const partsText = (n: number) => `${n} ${n === 1 ? "part" : "parts"}`;

/**
 * What a curator does to the selected parts: add or remove a tag, put them in a split or take them
 * out of any. The result is said ("3 parts tagged") and the page reloads its rows.
 */
export function BulkActions({
  workspace,
  selected,
  tags,
  splits,
  onClear,
}: {
  workspace: string;
  selected: string[];
  tags: string[];
  splits: string[];
  onClear: () => void;
}) {
  const router = useRouter();
  const [tag, setTag] = useState("");
  const [split, setSplit] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const none = selected.length === 0;

  async function act(what: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await what());
      router.refresh();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const tagParts = (add: boolean) =>
    act(async () => {
      const t = tag.trim();
      if (!t) throw new Error("type a tag first");
      const { changed } = await api<{ changed: number }>("POST", `/api/workspaces/${workspace}/parts/tags`, {
        partIds: selected,
        add: add ? [t] : [],
        remove: add ? [] : [t],
      });
      const rest = selected.length - changed;
      const unchanged = rest > 0 ? ` (${partsText(rest)} ${add ? "had it already" : "did not have it"})` : "";
      return add
        ? `${partsText(changed)} tagged “${t}”${unchanged}`
        : `“${t}” removed from ${partsText(changed)}${unchanged}`;
    });

  const splitParts = (to: string | null) =>
    act(async () => {
      const { changed } = await api<{ changed: number }>("POST", `/api/workspaces/${workspace}/parts/split`, {
        partIds: selected,
        split: to,
      });
      return to ? `${partsText(changed)} put in ${to}` : `${partsText(changed)} taken out of their split`;
    });

  const onTag = (e: FormEvent) => {
    e.preventDefault();
    void tagParts(true);
  };
  const onSplit = (e: FormEvent) => {
    e.preventDefault();
    const s = split.trim();
    if (!s) {
      setError("type a split name first");
      return;
    }
    void splitParts(s);
  };

  return (
    <section className="catalog-bulk card" aria-label="Selected parts" data-testid="bulk-actions">
      <div className="row">
        <strong data-testid="selected-count">{partsText(selected.length)} selected</strong>
        <button type="button" className="link" onClick={onClear} disabled={none || busy}>
          Clear selection
        </button>
      </div>
      <div className="row">
        <form className="row" onSubmit={onTag}>
          <input
            aria-label="Tag"
            placeholder="Tag"
            value={tag}
            maxLength={64}
            list={`${id}-tags`}
            onChange={(e) => setTag(e.currentTarget.value)}
          />
          <datalist id={`${id}-tags`}>
            {tags.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <button type="submit" disabled={none || busy}>
            Add tag
          </button>
          <button type="button" disabled={none || busy} onClick={() => void tagParts(false)}>
            Remove tag
          </button>
        </form>
        <form className="row" onSubmit={onSplit}>
          <input
            aria-label="Split"
            placeholder="Split (train, val, test…)"
            value={split}
            maxLength={32}
            list={`${id}-splits`}
            onChange={(e) => setSplit(e.currentTarget.value)}
          />
          <datalist id={`${id}-splits`}>
            {[...new Set([...splits, "train", "val", "test"])].map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <button type="submit" disabled={none || busy}>
            Set split
          </button>
          <button type="button" disabled={none || busy} onClick={() => void splitParts(null)}>
            Clear split
          </button>
        </form>
      </div>
      <Outcome message={message} error={error} testId="bulk-result" />
    </section>
  );
}
