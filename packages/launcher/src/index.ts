export { main } from "./main";
export { parseLauncherEnv } from "./env";
