import { beforeEach, describe, expect, it, vi } from "vitest";

const batchTrigger = vi.fn(async (_task: string, _items: unknown[]) => undefined);
vi.mock("@trigger.dev/sdk", () => ({ tasks: { batchTrigger } }));
const { triggerJobs } = await import("./trigger");

describe("handing jobs to Trigger.dev", () => {
  beforeEach(() => batchTrigger.mockClear());

  it("batches per task, at most 500 a call, each job its own idempotency key with the job run as payload", async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `job-${i}`);
    await triggerJobs([
      ...ids.map((jobId) => ({ taskId: "geometry-tessellate", jobId })),
      { taskId: "other-task", jobId: "x" },
    ]);
    expect(batchTrigger.mock.calls.map(([task, items]) => [task, items.length])).toEqual([
      ["geometry-tessellate", 500],
      ["geometry-tessellate", 500],
      ["geometry-tessellate", 1],
      ["other-task", 1],
    ]);
    expect(batchTrigger.mock.calls[3]?.[1]).toEqual([
      { payload: { jobId: "x" }, options: { idempotencyKey: "job-x" } },
    ]);
    const sent = batchTrigger.mock.calls
      .slice(0, 3)
      .flatMap(([, items]) => items as Array<{ payload: { jobId: string } }>);
    expect(sent.map((i) => i.payload.jobId)).toEqual(ids);
  });

  it("fails when the service refuses, so the dispatcher rolls back", async () => {
    batchTrigger.mockRejectedValueOnce(new Error("401 Unauthorized"));
    await expect(triggerJobs([{ taskId: "geometry-tessellate", jobId: "a" }])).rejects.toThrow("401");
  });
});
