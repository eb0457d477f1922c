"use client";

import { useRouter } from "next/navigation";
import { type ChangeEvent, type DragEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, messageOf } from "../api-client";
import { filesFromDrop, isStepName, STEP_EXTENSIONS } from "./collect";
import { sha256OfFile } from "./hash";

type State = "queued" | "hashing" | "checking" | "uploading" | "completing" | "new" | "skipped" | "failed" | "ignored";

interface Item {
  id: number;
  file: File;
  name: string;
  size: number;
  state: State;
  bytes: number;
  sha256?: string;
  put?: { url: string; headers: Record<string, string> };
  message?: string;
  /** A failure that trying again cannot mend (the content itself was refused): no Retry. */
  final?: boolean;
}

interface Presigned {
  url: string;
  headers: Record<string, string>;
}
type Answer =
  | { status: "present"; part: { id: string } }
  | { status: "linked"; part: { id: string } }
  | { status: "upload"; put: Presigned }
  | { status: "rejected"; error: { code: string; message: string } };

const HASHERS = 2;
const UPLOADERS = 3;
const BATCH = 100;
// Bytes of one blob are in flight once even when the same content is dropped twice.
const DONE: State[] = ["new", "skipped", "failed", "ignored"];

/** Refusals of the content itself: the same bytes would be refused again. */
const FINAL_CODES = new Set(["EMPTY_FILE", "NOT_A_STEP_FILE", "PAYLOAD_TOO_LARGE", "VALIDATION_FAILED"]);

/** Why a file is not even sent (null: it may be). */
function notSent(file: File): string | null {
  if (!isStepName(file.name)) return `not a STEP file (${STEP_EXTENSIONS.join(", ")}): not uploaded`;
  if (file.size === 0) return "the file is empty: not uploaded";
  return null;
}

function fmt(n: number): string {
  const u = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i === 0 || n >= 100 ? 0 : 1)} ${u[i]}`;
}

function put(url: string, headers: Record<string, string>, file: File, onBytes: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() !== "content-length") xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let message = `storage answered ${xhr.status}`;
      try {
        message = (JSON.parse(xhr.responseText) as { error?: { message?: string } }).error?.message ?? message;
      } catch {}
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error("the upload was interrupted (network)"));
    xhr.send(file);
  });
}

/**
 * Drop files or whole folders: each file is hashed while read, declared to the API, and only bytes
 * the server does not have are sent, straight to storage. Progress per file and overall; failures
 * can be retried; leaving and coming back never duplicates (parts are keyed by content).
 */
export function Uploader({ workspace, dataset }: { workspace: string; dataset: { id: string; name: string } }) {
  const router = useRouter();
  const items = useRef<Item[]>([]);
  const nextId = useRef(1);
  const [, setVersion] = useState(0);
  const [over, setOver] = useState(false);
  const started = useRef<number | null>(null);
  const uploadedBytes = useRef(0);
  const frame = useRef<number | null>(null);
  const running = useRef({ hashing: 0, uploading: 0, checking: false });
  const base = `/api/workspaces/${encodeURIComponent(workspace)}/datasets/${dataset.id}`;

  const render = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setVersion((v) => v + 1);
    });
  }, []);

  const set = useCallback(
    (item: Item, patch: Partial<Item>) => {
      Object.assign(item, patch);
      render();
    },
    [render],
  );

  const pump = useCallback(() => {
    const list = items.current;
    // 1. hash
    while (running.current.hashing < HASHERS) {
      const item = list.find((i) => i.state === "queued" && !i.sha256);
      if (!item) break;
      running.current.hashing++;
      set(item, { state: "hashing", bytes: 0 });
      sha256OfFile(item.file, (b) => set(item, { bytes: b }))
        .then((sha256) => set(item, { sha256, state: "checking", bytes: 0 }))
        .catch((e) => set(item, { state: "failed", message: `could not read the file: ${messageOf(e)}` }))
        .finally(() => {
          running.current.hashing--;
          pump();
        });
    }
    // 2. declare what is hashed, in batches
    const ready = list.filter((i) => i.state === "checking" && i.sha256 && !i.put);
    const hashingLeft = list.some((i) => i.state === "hashing" || (i.state === "queued" && !i.sha256));
    if (!running.current.checking && ready.length > 0 && (ready.length >= BATCH || !hashingLeft)) {
      running.current.checking = true;
      const batch = ready.slice(0, BATCH);
      api<{ files: Answer[] }>("POST", `${base}/uploads`, {
        files: batch.map((i) => ({ name: i.name, size: i.size, sha256: i.sha256 })),
      })
        .then(({ files }) => {
          files.forEach((a, k) => {
            const item = batch[k] as Item;
            if (a.status === "present") set(item, { state: "skipped", message: "already in the dataset" });
            else if (a.status === "linked") set(item, { state: "new", message: "already stored: nothing sent" });
            else if (a.status === "rejected")
              set(item, { state: "failed", message: a.error.message, final: FINAL_CODES.has(a.error.code) });
            else set(item, { state: "queued", put: a.put });
          });
          if (files.some((a) => a.status !== "upload")) router.refresh();
        })
        .catch((e) => {
          for (const item of batch) set(item, { state: "failed", message: messageOf(e) });
        })
        .finally(() => {
          running.current.checking = false;
          pump();
        });
    }
    // 3. upload, then confirm
    while (running.current.uploading < UPLOADERS) {
      const item = list.find((i) => i.state === "queued" && i.put);
      if (!item?.put) break;
      const presigned = item.put;
      running.current.uploading++;
      started.current ??= performance.now();
      set(item, { state: "uploading", bytes: 0 });
      let counted = 0;
      put(presigned.url, presigned.headers, item.file, (b) => {
        uploadedBytes.current += b - counted;
        counted = b;
        set(item, { bytes: b });
      })
        .then(async () => {
          set(item, { state: "completing" });
          const r = await api<{ created: boolean }>("POST", `${base}/uploads/complete`, {
            name: item.name,
            size: item.size,
            sha256: item.sha256,
          });
          set(item, {
            state: r.created ? "new" : "skipped",
            message: r.created ? "uploaded" : "already in the dataset",
          });
          router.refresh();
        })
        .catch((e) => {
          uploadedBytes.current -= counted;
          set(item, {
            state: "failed",
            put: undefined,
            message: e instanceof ApiError ? e.message : messageOf(e),
            final: e instanceof ApiError && FINAL_CODES.has(e.code),
          });
        })
        .finally(() => {
          running.current.uploading--;
          pump();
        });
    }
  }, [base, router, set]);

  const add = useCallback(
    (files: File[]) => {
      // files that cannot be parts are listed too, with the reason, never silently dropped
      for (const file of files) {
        const why = notSent(file);
        items.current.push({
          id: nextId.current++,
          file,
          name: file.name,
          size: file.size,
          state: why ? "ignored" : "queued",
          bytes: 0,
          ...(why ? { message: why, final: true } : {}),
        });
      }
      render();
      pump();
    },
    [pump, render],
  );

  const retry = (item: Item) => {
    set(item, { state: "queued", bytes: 0, message: undefined, put: undefined });
    if (item.sha256) set(item, { state: "checking" });
    pump();
  };

  const busy = items.current.some((i) => !DONE.includes(i.state));
  useEffect(() => {
    if (!busy) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [busy]);

  const onDrop = async (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setOver(false);
    add(await filesFromDrop(e.dataTransfer));
  };
  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    add(Array.from(e.target.files ?? []));
    e.target.value = "";
  };

  const list = items.current;
  const total = list.reduce((a, i) => a + i.size, 0);
  const count = (s: State) => list.filter((i) => i.state === s).length;
  // the counts are of the files sent for upload; those not sent are named apart
  const sent = list.filter((i) => i.state !== "ignored");
  const finished = sent.filter((i) => DONE.includes(i.state)).length;
  const notSentNames = list.filter((i) => i.state === "ignored").map((i) => i.name);
  const seconds = started.current ? (performance.now() - started.current) / 1000 : 0;
  const speed = seconds > 0 ? uploadedBytes.current / seconds : 0;

  return (
    <section className="stack" aria-label="Upload STEP files">
      <label
        className={`dropzone${over ? " over" : ""}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <strong>Drop STEP files or folders here</strong>
        <span className="muted">
          or <u>choose files</u>. Files are hashed in your browser; content the server already has is not sent again.
        </span>
        <input type="file" multiple accept=".step,.stp,.p21" onChange={onPick} className="visually-hidden" />
      </label>
      <div className="row">
        <label className="button">
          Choose a folder…
          <input
            type="file"
            className="visually-hidden"
            onChange={onPick}
            {...({ webkitdirectory: "", directory: "" } as Record<string, string>)}
          />
        </label>
        {list.length > 0 && (
          <span data-testid="upload-summary" role="status">
            {finished}/{sent.length} done · {count("new")} new · {count("skipped")} skipped · {count("failed")} failed ·{" "}
            {fmt(uploadedBytes.current)} sent
            {speed > 0 ? ` at ${fmt(speed)}/s` : ""}
            {notSentNames.length > 0 &&
              ` · not uploaded (not STEP, or empty): ${notSentNames.slice(0, 5).join(", ")}${notSentNames.length > 5 ? ` and ${notSentNames.length - 5} more` : ""}`}
          </span>
        )}
      </div>
      {list.length > 0 && (
        <>
          <progress className="overall" max={Math.max(1, sent.length)} value={finished} aria-label="Overall progress" />
          <table data-testid="upload-list">
            <thead>
              <tr>
                <th>File</th>
                <th>Size</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.slice(-500).map((i) => (
                <tr key={i.id} data-state={i.state}>
                  <td>{i.name}</td>
                  <td>{fmt(i.size)}</td>
                  <td>
                    {i.state === "hashing" || i.state === "uploading" ? (
                      <>
                        {i.state} <progress max={i.size} value={i.bytes} aria-label={`${i.state} ${i.name}`} />
                      </>
                    ) : (
                      <>
                        {i.state}
                        {i.message ? (
                          <span className={i.state === "failed" || i.state === "ignored" ? "error" : "muted"}>
                            {" "}
                            — {i.message}
                          </span>
                        ) : null}
                      </>
                    )}
                  </td>
                  <td>
                    {i.state === "failed" && !i.final && (
                      <button type="button" onClick={() => retry(i)}>
                        Retry
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.length > 500 && <p className="muted">Showing the last 500 of {list.length} files.</p>}
          {total > 0 && <p className="muted">{fmt(total)} in all.</p>}
        </>
      )}
    </section>
  );
}
