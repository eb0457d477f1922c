import { describe, expect, it, vi } from "vitest";
import { eventStreamResponse } from "./live-streams.server";

vi.mock("server-only", () => ({})); // (hoisted above the imports) a plain Node test may load server modules

const encoder = new TextEncoder();

describe("eventStreamResponse", () => {
  it("answers with the stream as server-sent events that nothing between may buffer or cache", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode("retry: 3000\n: connected\n\n"));
        c.enqueue(encoder.encode('event: hello\ndata: {"presence":[]}\n\n'));
        c.close();
      },
    });
    const res = eventStreamResponse(stream);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-store, no-transform");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(await res.text()).toBe('retry: 3000\n: connected\n\nevent: hello\ndata: {"presence":[]}\n\n');
  });

  it("passes the client going away on to the stream (its cancel ends the live updates)", async () => {
    const cancel = vi.fn();
    const res = eventStreamResponse(new ReadableStream<Uint8Array>({ cancel }));
    await res.body?.cancel("gone");
    expect(cancel).toHaveBeenCalledWith("gone");
  });
});
