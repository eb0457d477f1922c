// Preloaded (`node --import`) into the processes the launcher starts: when the launcher dies
// without stopping them (SIGKILL, crash), they stop too instead of holding ports as orphans.
const launcher = Number(process.env.FACET_LAUNCHER_PID ?? 0);
if (launcher > 0) {
  setInterval(() => {
    try {
      process.kill(launcher, 0);
    } catch {
      process.kill(process.pid, "SIGTERM");
    }
  }, 1000).unref();
}
