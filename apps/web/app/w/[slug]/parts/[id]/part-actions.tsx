"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ConfirmDialog } from "@/components/confirm-dialog";

export function PartActions({
  workspace,
  partId,
  failed,
  datasetId,
  canPrelabel,
}: {
  workspace: string;
  partId: string;
  failed: boolean;
  datasetId: string;
  /** Processed and waiting unannotated: it can be pre-labelled (again). */
  canPrelabel: boolean;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const [discarding, setDiscarding] = useState(false);
  const base = `/api/workspaces/${workspace}/parts/${partId}`;
  return (
    <span className="row">
      {failed && (
        <button
          type="button"
          onClick={async () => {
            try {
              await api("POST", `${base}/retry`);
              router.refresh();
            } catch (e) {
              setError(messageOf(e));
            }
          }}
        >
          Retry processing
        </button>
      )}
      {canPrelabel && (
        <button
          type="button"
          disabled={queued}
          onClick={async () => {
            try {
              await api("POST", `${base}/prelabel`);
              setQueued(true);
              router.refresh();
            } catch (e) {
              setError(messageOf(e));
            }
          }}
        >
          {queued ? "Pre-labelling…" : "Pre-label now"}
        </button>
      )}
      <button type="button" className="danger" onClick={() => setDiscarding(true)}>
        Discard
      </button>
      {discarding && (
        <ConfirmDialog
          title="Discard this part?"
          confirmLabel="Discard"
          onConfirm={async () => {
            setDiscarding(false);
            try {
              await api("DELETE", base);
              router.replace(`/w/${workspace}/datasets/${datasetId}`);
              router.refresh();
            } catch (e) {
              setError(messageOf(e));
            }
          }}
          onCancel={() => setDiscarding(false)}
        >
          <p>Its labels, comments and history go with it.</p>
        </ConfirmDialog>
      )}
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </span>
  );
}
