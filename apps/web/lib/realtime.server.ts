import "server-only";
import { pgNotificationSource } from "@facet/db";
import { env } from "./env.server";
import { RealtimeHub } from "./realtime/hub";

export type { FacetEvent } from "./realtime/events";
export type { HubMessage, Subscription } from "./realtime/hub";
export { partEventStream } from "./realtime/part-stream";

// One LISTEN connection per server process (the hub starts it on the first subscriber and closes it
// when nobody listens); kept on globalThis so that hot reloads in dev do not open another.
const holder = globalThis as unknown as { __facetRealtime?: RealtimeHub };

/** The process's change-event hub, fed by Postgres NOTIFY on `facet_events`. */
export function realtime(): RealtimeHub {
  holder.__facetRealtime ??= new RealtimeHub(
    pgNotificationSource({ connectionString: env().DATABASE_URL, applicationName: "facet-web-realtime" }),
  );
  return holder.__facetRealtime;
}
