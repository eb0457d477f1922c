import type { FacesDocument, TessellationParams } from "@facet/geometry";
import type { ShapeDescription } from "./describe-shape";

/** Messages between the worker and its geometry process (structured clone: typed arrays pass as they are). */
export interface TessellateRequest {
  id: number;
  bytes: Uint8Array;
  params: TessellationParams;
  /** Also describe the shape (fingerprint, surface kinds, thumbnail): what a new part needs. */
  describe?: boolean;
}

export type TessellateReply =
  | {
      id: number;
      ok: true;
      glb: Uint8Array;
      document: FacesDocument;
      ms: number;
      timings: Record<string, number>;
      description?: ShapeDescription;
    }
  /** `ending`: the kernel trapped and this process exits once the reply is out; the next file needs a fresh one. */
  | { id: number; ok: false; reason: string; message: string; ending?: boolean };

export type HostMessage = TessellateReply | { ready: true; initMs: number };
