import type { FaceMesh, FacesDocument } from "./types";

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
const FLOAT = 5126;
const UNSIGNED_INT = 5125;

const pad4 = (n: number) => (n + 3) & ~3;

/**
 * The mesh as binary glTF 2.0: POSITION, indices, and `_FACE_ID` (float per vertex, the B-rep face
 * index: three.js' GLTFLoader exposes it as the `_face_id` attribute). Provenance in `extras.facet`.
 * Deterministic: the same mesh gives the same bytes.
 */
export function meshToGlb(
  mesh: FaceMesh,
  doc: Pick<FacesDocument, "tessellator" | "faceCount" | "signature" | "params">,
): Uint8Array {
  const vertexCount = mesh.positions.length / 3;
  const faceIdFloats = Float32Array.from(mesh.vertexFaceIds);
  const views = [
    {
      data: new Uint8Array(mesh.positions.buffer, mesh.positions.byteOffset, mesh.positions.byteLength),
      target: ARRAY_BUFFER,
    },
    { data: new Uint8Array(faceIdFloats.buffer), target: ARRAY_BUFFER },
    {
      data: new Uint8Array(mesh.indices.buffer, mesh.indices.byteOffset, mesh.indices.byteLength),
      target: ELEMENT_ARRAY_BUFFER,
    },
  ];
  let offset = 0;
  const bufferViews = views.map((v) => {
    const view = { buffer: 0, byteOffset: offset, byteLength: v.data.byteLength, target: v.target };
    offset = pad4(offset + v.data.byteLength);
    return view;
  });
  const binLength = offset;

  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < mesh.positions.length; i++) {
    const k = i % 3;
    const v = mesh.positions[i] as number;
    if (v < (min[k] as number)) min[k] = v;
    if (v > (max[k] as number)) max[k] = v;
  }
  const json = {
    asset: { version: "2.0", generator: "Facet" },
    extras: {
      facet: { tessellator: doc.tessellator, faceCount: doc.faceCount, signature: doc.signature, params: doc.params },
    },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0, _FACE_ID: 1 }, indices: 2, mode: 4 }] }],
    buffers: [{ byteLength: binLength }],
    bufferViews,
    accessors: [
      {
        bufferView: 0,
        componentType: FLOAT,
        count: vertexCount,
        type: "VEC3",
        ...(vertexCount > 0 ? { min, max } : {}),
      },
      { bufferView: 1, componentType: FLOAT, count: vertexCount, type: "SCALAR" },
      { bufferView: 2, componentType: UNSIGNED_INT, count: mesh.indices.length, type: "SCALAR" },
    ],
  };
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = pad4(jsonBytes.length);
  const total = 12 + 8 + jsonLength + 8 + binLength;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, GLB_MAGIC, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLength, true);
  dv.setUint32(16, CHUNK_JSON, true);
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLength); // JSON is padded with spaces
  const bin = 20 + jsonLength;
  dv.setUint32(bin, binLength, true);
  dv.setUint32(bin + 4, CHUNK_BIN, true);
  views.forEach((v, i) => {
    out.set(v.data, bin + 8 + (bufferViews[i] as { byteOffset: number }).byteOffset);
  });
  return out;
}

/** Read back what `meshToGlb` wrote (for checks and tools; the browser uses three.js' loader). */
export function readGlb(bytes: Uint8Array): {
  json: Record<string, unknown>;
  positions: Float32Array;
  faceIds: Float32Array;
  indices: Uint32Array;
} {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== GLB_MAGIC || dv.getUint32(4, true) !== 2) throw new Error("not a glTF 2.0 binary");
  const jsonLength = dv.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength))) as {
    bufferViews: Array<{ byteOffset: number; byteLength: number }>;
  };
  // offsets are relative to the BIN chunk; `bytes` may be a view into a larger buffer (Node's Buffer pool)
  const bin = bytes.byteOffset + 20 + jsonLength + 8;
  const view = (i: number) => json.bufferViews[i] as { byteOffset: number; byteLength: number };
  const take = (i: number) =>
    bytes.buffer.slice(bin + view(i).byteOffset, bin + view(i).byteOffset + view(i).byteLength);
  return {
    json: json as unknown as Record<string, unknown>,
    positions: new Float32Array(take(0)),
    faceIds: new Float32Array(take(1)),
    indices: new Uint32Array(take(2)),
  };
}
