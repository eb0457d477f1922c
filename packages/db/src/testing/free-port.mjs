// A port for a test's server, free when chosen. Plain JavaScript so that scripts/test.mjs (which runs
// before anything is compiled) and the TypeScript tests share it; types in free-port.d.mts.
import { readFileSync } from "node:fs";
import net from "node:net";

/** The lowest port chosen: above the registered services most machines run (3000, 5432, 8080, ...). */
const FLOOR = 20000;

/**
 * The first port of the kernel's ephemeral range, from which it draws the local ports of outgoing
 * connections and of servers listening on port 0; null where it cannot be read (not Linux) or leaves
 * no room below it.
 */
function ephemeralStart() {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > FLOOR + 1000 ? low : null;
  } catch {
    return null;
  }
}

/** Listen on `port` on 127.0.0.1 and close again: the port listened on, or null if it was taken. */
function tryPort(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const bound = server.address().port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port nothing listens on, below the ephemeral range: a server that binds it later (minutes later,
 * or again after a restart) finds it free, where a port the kernel handed out for port 0 could
 * meanwhile become the local port of any outgoing connection (EADDRINUSE).
 */
export async function freePort() {
  const start = ephemeralStart();
  if (start !== null) {
    for (let i = 0; i < 200; i++) {
      const port = await tryPort(FLOOR + Math.floor(Math.random() * (start - FLOOR)));
      if (port !== null) return port;
    }
  }
  const port = await tryPort(0);
  if (port === null) throw new Error("no free port to listen on");
  return port;
}
