/**
 * Everything the benchmark starts registers how to stop it here; stopAll() runs on normal exit,
 * on failure and on Ctrl-C, newest first, so the service stops before the pool it uses.
 */
const stoppers = [];

export function onCleanup(label, stop) {
  stoppers.push({ label, stop });
}

export async function stopAll() {
  while (stoppers.length > 0) {
    const { label, stop } = stoppers.pop();
    try {
      await stop();
    } catch (error) {
      console.error(`cleanup: stopping ${label} failed: ${error.message}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    console.error(`\n${signal}: stopping everything the benchmark started...`);
    await stopAll();
    process.exit(130);
  });
}
