// The web app's HTTP server: Next.js behind a thin layer (listener.ts) that decides what of a request
// can be trusted (request-guard.ts) and answers the filesystem store's signed blob GETs itself.
// `npm start`'s launcher and the Docker image run this file (`node --import tsx
// apps/web/server/main.ts`), never `next start`, whose X-Forwarded-* headers would be whatever a
// client sent (and which would send every blob GET through Next.js' routing).
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@facet/core";
import { blobStoreConfigFromEnv, FsBlobStore, storageEnvShape } from "@facet/storage";
import next from "next";
import { z } from "zod";
import { createListener } from "./listener";

const config = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    FACET_HOST: z.string().min(1).default("127.0.0.1"),
    FACET_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
    ...storageEnvShape,
  })
  .safeParse(process.env);
if (!config.success) {
  const lines = config.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  console.error(`invalid web server configuration:\n${lines.join("\n")}`);
  process.exit(1);
}
const { PORT, FACET_HOST, FACET_TRUSTED_PROXIES } = config.data;
// the filesystem store's signed GETs are answered before Next.js (listener.ts); with S3 they point there
const storage = blobStoreConfigFromEnv(config.data);
const blobs = storage.kind === "fs" && storage.secret ? new FsBlobStore(storage) : null;
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const app = next({ dev: false, dir, hostname: FACET_HOST, port: PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer(createListener({ handle, hops: FACET_TRUSTED_PROXIES, blobs }));
// Node closes an idle keep-alive connection after 5 s by default, racing clients that reuse it at that
// moment (ECONNRESET on a request already sent; behind a load balancer, 502s). Keep idle connections
// longer than clients and proxies do (60 s is the usual proxy idle timeout), headers timeout above it.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
const log = createLogger({ process: "web", write: (line) => process.stdout.write(`${line}\n`) });
server.listen(PORT, FACET_HOST, () => {
  log.info("ready", { url: `http://${FACET_HOST}:${PORT}` });
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 5000).unref();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
