import { createSHA256 } from "hash-wasm";

/**
 * SHA-256 of a File while reading it, chunk by chunk from its stream: a 500 MB part is never held
 * in memory. (WebCrypto's digest needs the whole buffer, so it is not used.)
 */
export async function sha256OfFile(
  file: File,
  onProgress: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  const reader = file.stream().getReader();
  let done = 0;
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel();
      throw new DOMException("aborted", "AbortError");
    }
    const { value, done: end } = await reader.read();
    if (end) break;
    hasher.update(value);
    done += value.byteLength;
    onProgress(done);
  }
  return hasher.digest("hex");
}
