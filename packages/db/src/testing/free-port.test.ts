import { readFileSync } from "node:fs";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "./paths";

/** The kernel's range of local ports for outgoing connections (and for servers asking for port 0). */
function ephemeralRange(): [number, number] | null {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    return [low as number, high as number];
  } catch {
    return null;
  }
}

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });

describe("freePort", () => {
  // A test that binds its port later (the browser tests' model server, minutes after the port was
  // chosen; a proxy restarted on the same port) lost it when the port was one of the kernel's
  // ephemeral ones: an outgoing connection could take it meanwhile (EADDRINUSE in CI).
  it("is below the ephemeral range, so no outgoing connection can take it before it is bound", async () => {
    const range = ephemeralRange();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(1024);
      if (range) expect(port).toBeLessThan(range[0]);
    }
  });

  it("is free: a server can listen on it", async () => {
    const server = await listen(await freePort());
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("is never a port something already listens on", async () => {
    const taken = await Promise.all(Array.from({ length: 20 }, async () => listen(await freePort())));
    const ports = new Set(taken.map((s) => (s.address() as net.AddressInfo).port));
    expect(ports.size).toBe(taken.length);
    try {
      for (let i = 0; i < 50; i++) expect(ports.has(await freePort())).toBe(false);
    } finally {
      await Promise.all(taken.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  });
});
