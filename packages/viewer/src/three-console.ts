import { getConsoleFunction, setConsoleFunction } from "three";

/**
 * React Three Fiber 9 (the current release, 9.8.2) makes a `THREE.Clock` for every canvas, and
 * three r183+ deprecates Clock with a console warning: one on every 3D view, about code that is not
 * ours. R3F 10 replaces it with `THREE.Timer` (pmndrs/react-three-fiber#3741; only canaries so
 * far). Until we move to it, this drops exactly that message through three's own console hook
 * (`setConsoleFunction`) and passes every other message on as three would.
 */
export const CLOCK_DEPRECATION = "THREE.Clock: This module has been deprecated";

type ConsoleFunction = (type: "log" | "warn" | "error", message: string, ...params: unknown[]) => void;

/** What three does without a console function (src/utils.js): a stack trace object becomes an Error. */
const threeDefault: ConsoleFunction = (type, message, ...params) => {
  const trace = params[0] as { isStackTrace?: boolean; getError?: (m: string) => Error } | undefined;
  if (type !== "log" && trace?.isStackTrace && trace.getError) console[type](trace.getError(message));
  else console[type](message, ...params);
};

let installed = false;

export function dropClockDeprecation(): void {
  if (installed) return;
  installed = true;
  const next: ConsoleFunction = (getConsoleFunction() as ConsoleFunction | null) ?? threeDefault;
  setConsoleFunction((type, message, ...params) => {
    if (type === "warn" && String(message).startsWith(CLOCK_DEPRECATION)) return;
    next(type, message, ...params);
  });
}
