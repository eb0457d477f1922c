"use client";

import type { DatasetSettings, LearningSettings as Learning, LearningQueueOrder } from "@facet/db";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { LearningSettings } from "./learning-settings";

type QueueOrderValue = LearningQueueOrder;
/** The settings this panel edits (a dataset's, without its id and name; with its learned pre-labeler's). */
type DatasetSettingsValue = Omit<DatasetSettings, "id" | "name" | "queueOrder"> &
  Pick<Learning, "queueOrder" | "learnedPrelabel" | "retrainAfter">;
/** What the PATCH answers: the dataset's settings and where its learning stands. */
type Answer = Omit<DatasetSettings, "queueOrder"> & Omit<Learning, "datasetId">;

const editable = (d: Answer): DatasetSettingsValue => ({
  prelabel: d.prelabel,
  queueOrder: d.queueOrder,
  requiredAnnotations: d.requiredAnnotations,
  maxHeldParts: d.maxHeldParts,
  learnedPrelabel: d.learnedPrelabel,
  retrainAfter: d.retrainAfter,
});

export const QUEUE_ORDER_LABELS: Record<QueueOrderValue, string> = {
  least_confident: "Least confident pre-labels first",
  oldest: "Oldest first",
  most_novel: "Most novel first",
  rare_classes: "Rare classes first",
};

const HELP: Record<QueueOrderValue, string> = {
  least_confident:
    "Annotators are served the parts the models were least sure of first (parts without a pre-label before all others).",
  oldest: "Annotators are served the parts in the order they were added.",
  most_novel:
    "Annotators are served first the parts whose shape is least like the parts approved so far, where the model has the least to go on.",
  rare_classes:
    "Annotators are served first the parts predicted to hold the classes with the fewest approved faces, so the model gets examples of them soonest.",
};

const heldText = (n: number) =>
  `an annotator holds at most ${n === 1 ? "one part" : `${n} parts`} of this dataset at once (claimed, or returned with notes)`;

const annotationsText = (n: number) =>
  n === 1
    ? "one annotation per part"
    : `${n} independent annotations per part: each annotator starts from the pre-label, the part goes to review with the majority label and the disagreements shown`;

/**
 * Pre-labelling, queue order and consensus of a dataset: controls for those who run labelling (admins
 * and engineers: `datasets.configure`), text for everyone else.
 */
export function DatasetSettingsPanel(props: {
  workspace: string;
  datasetId: string;
  initial: Answer;
  canEdit: boolean;
  /** A training of the learned pre-labeler running when the page was made (its job). */
  training: { jobId: string } | null;
}) {
  const router = useRouter();
  const [value, setValue] = useState<DatasetSettingsValue>(editable(props.initial));
  const learning = {
    workspace: props.workspace,
    datasetId: props.datasetId,
    learned: value.learnedPrelabel,
    retrainAfter: value.retrainAfter,
    training: props.training,
    pending: props.initial.trainingPending,
    approvals: props.initial.approvalsSinceTraining,
    inUse: props.initial.promoted?.modelVersion ?? null,
  };
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ key: keyof DatasetSettingsValue; text: string } | null>(null);
  const [error, setError] = useState<{ key: keyof DatasetSettingsValue; text: string } | null>(null);

  if (!props.canEdit) {
    return (
      <>
        <h2>Queue</h2>
        <p className="muted">Admins and engineers set how this dataset&apos;s queue is served.</p>
        <p data-testid="prelabel-setting">
          New parts are {value.prelabel ? "pre-labelled by the configured models" : "not pre-labelled"}.
        </p>
        <p data-testid="queue-order" data-value={value.queueOrder}>
          Queue order: <strong>{QUEUE_ORDER_LABELS[value.queueOrder]}</strong>
        </p>
        <p data-testid="required-annotations">{annotationsText(value.requiredAnnotations)}.</p>
        <p data-testid="max-held-parts">{heldText(value.maxHeldParts)}.</p>
        <LearningSettings {...learning} canEdit={false} saving={false} change={async () => {}} status={() => null} />
      </>
    );
  }

  async function change<K extends keyof DatasetSettingsValue>(key: K, next: DatasetSettingsValue[K], say: string) {
    const previous = value;
    setValue({ ...value, [key]: next });
    setSaving(true);
    setSaved(null);
    setError(null);
    try {
      const r = await api<{ dataset: Answer }>(
        "PATCH",
        `/api/workspaces/${props.workspace}/datasets/${props.datasetId}`,
        { [key]: next },
      );
      setValue(editable(r.dataset));
      setSaved({ key, text: `Saved: ${say}.` });
      router.refresh();
    } catch (e) {
      setValue(previous);
      setError({ key, text: messageOf(e) });
    } finally {
      setSaving(false);
    }
  }
  const status = (key: keyof DatasetSettingsValue, testid: string) => (
    <>
      {saved?.key === key && (
        <span className="notice" role="status" data-testid={testid}>
          {saved.text}
        </span>
      )}
      {error?.key === key && (
        <span className="error" role="alert">
          Not saved: {error.text}
        </span>
      )}
    </>
  );

  return (
    <>
      <h2>Queue</h2>
      <div className="stack" style={{ gap: 4 }}>
        <div className="row" data-testid="prelabel-setting">
          <label className="row" style={{ gap: 8 }}>
            <input
              type="checkbox"
              checked={value.prelabel}
              disabled={saving}
              onChange={(e) =>
                void change(
                  "prelabel",
                  e.target.checked,
                  e.target.checked ? "new parts are pre-labelled" : "no pre-labels",
                )
              }
            />
            Pre-label new parts
          </label>
          {status("prelabel", "prelabel-setting-saved")}
        </div>
        <div className="stack" data-testid="queue-order" data-value={value.queueOrder} style={{ gap: 4 }}>
          <div className="row">
            <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
              Queue order
              <select
                aria-label="Queue order"
                value={value.queueOrder}
                disabled={saving}
                onChange={(e) => {
                  const next = e.target.value as QueueOrderValue;
                  void change("queueOrder", next, QUEUE_ORDER_LABELS[next].toLowerCase());
                }}
              >
                {(Object.keys(QUEUE_ORDER_LABELS) as QueueOrderValue[]).map((k) => (
                  <option key={k} value={k}>
                    {QUEUE_ORDER_LABELS[k]}
                  </option>
                ))}
              </select>
            </label>
            {status("queueOrder", "queue-order-saved")}
          </div>
          <p className="muted">{HELP[value.queueOrder]}</p>
        </div>
        <div className="stack" data-testid="required-annotations" style={{ gap: 4 }}>
          <div className="row">
            <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
              Annotations per part
              <select
                aria-label="Annotations per part"
                value={value.requiredAnnotations}
                disabled={saving}
                onChange={(e) => {
                  const n = Number(e.target.value);
                  void change(
                    "requiredAnnotations",
                    n,
                    n === 1 ? "one annotation per part" : `${n} independent annotations per part`,
                  );
                }}
              >
                {[1, 2, 3, 4, 5].map((n) => (
                  <option key={n} value={n}>
                    {n === 1 ? "1 (no consensus)" : `${n} independent`}
                  </option>
                ))}
              </select>
            </label>
            {status("requiredAnnotations", "required-annotations-saved")}
          </div>
          <p className="muted">{annotationsText(value.requiredAnnotations)}.</p>
        </div>
        <div className="stack" data-testid="max-held-parts" style={{ gap: 4 }}>
          <div className="row">
            <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
              Parts held at once
              <select
                aria-label="Parts held at once"
                value={value.maxHeldParts}
                disabled={saving}
                onChange={(e) => {
                  const n = Number(e.target.value);
                  void change("maxHeldParts", n, `at most ${n} held at once`);
                }}
              >
                {[...new Set([1, 2, 3, 5, 10, 20, value.maxHeldParts])]
                  .sort((a, b) => a - b)
                  .map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
              </select>
            </label>
            {status("maxHeldParts", "max-held-parts-saved")}
          </div>
          <p className="muted">{heldText(value.maxHeldParts)}.</p>
        </div>
        <LearningSettings
          {...learning}
          canEdit
          saving={saving}
          change={(key, next, say) => change(key, next as never, say)}
          status={status}
        />
      </div>
    </>
  );
}
