import { createApp } from './app';
import { runScheduled } from './maintenance/scheduled';

export { LiveTail } from './live/live-tail-object';

// Outlives requests: the app (routes, OpenAPI registry) is built once per isolate.
const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
} satisfies ExportedHandler<Env>;
