export { parseLauncherEnv } from "./env";
export { main } from "./main";
