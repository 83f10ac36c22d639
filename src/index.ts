import { createApp } from './app';
import { consumeIngestBatch } from './ingest/consumer';
import { runScheduled } from './maintenance/scheduled';

export { IngestTracker } from './ingest/tracker-object';
export { LiveTailGateway } from './live/gateway';
export { LiveTail } from './live/live-tail-object';

// Outlives requests: the app (routes, OpenAPI registry) is built once per isolate.
const app = createApp();

export default {
  fetch: app.fetch,
  // The ingest queue and its dead-letter queue (wrangler.toml, docs/queued-ingest.md).
  async queue(batch, env, ctx) {
    await consumeIngestBatch(batch, env, ctx);
  },
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
} satisfies ExportedHandler<Env>;
