/** Browser-side calls to Facet's API: JSON in, JSON out; failures carry the API's code and message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    throw new ApiError(
      data.error?.code ?? "HTTP_ERROR",
      data.error?.message ?? `request failed (${res.status})`,
      res.status,
    );
  }
  return data as T;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
