/**
 * Fetch a part's mesh, reporting progress, and keep it in the browser's Cache Storage under its
 * content address: mesh keys are content-addressed and never change, while the signed URLs that
 * serve them do, so the HTTP cache alone would miss every time.
 */
const CACHE = "facet-content-v1";

export async function loadCachedBytes(
  url: string,
  cacheKey: string | undefined,
  onProgress?: (fraction: number) => void,
): Promise<ArrayBuffer> {
  const cacheRequest = cacheKey ? new Request(`/__facet/content/${encodeURIComponent(cacheKey)}`) : null;
  const cache = cacheRequest && typeof caches !== "undefined" ? await caches.open(CACHE).catch(() => null) : null;
  if (cache && cacheRequest) {
    const hit = await cache.match(cacheRequest);
    if (hit) {
      onProgress?.(1);
      return hit.arrayBuffer();
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the mesh could not be loaded (HTTP ${res.status})`);
  const total = Number(res.headers.get("content-length") ?? 0);
  let bytes: ArrayBuffer;
  if (res.body && total > 0 && onProgress) {
    const reader = res.body.getReader();
    const out = new Uint8Array(total);
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.length > total) throw new Error("the mesh is longer than announced");
      out.set(value, received);
      received += value.length;
      onProgress(received / total);
    }
    bytes = out.buffer.slice(0, received);
  } else {
    bytes = await res.arrayBuffer();
  }
  onProgress?.(1);
  if (cache && cacheRequest) {
    await cache
      .put(cacheRequest, new Response(bytes.slice(0), { headers: { "content-type": "model/gltf-binary" } }))
      .catch(() => undefined); // a full or unavailable cache only costs a download next time
  }
  return bytes;
}
