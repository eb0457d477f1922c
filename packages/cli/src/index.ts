export type { PushSummary } from "./commands/push";
export { push } from "./commands/push";
export { run } from "./main";
