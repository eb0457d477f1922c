export { run } from "./main";
export { push } from "./commands/push";
export type { PushSummary } from "./commands/push";
