import { createRouter } from '../define-route';
import { batchHandler, batchRoute } from './batch';
import { createEventHandler, createEventRoute } from './create';
import { enqueueHandler, enqueueRoute } from './enqueue';
import { exportHandler, exportRoute } from './export';
import { recentHandler, recentRoute } from './recent';
import { searchHandler, searchRoute } from './search';
import { statsHandler, statsRoute } from './stats';
import { streamHandler, streamRoute } from './stream';

/** Writing, reading, exporting and tailing audit events. */
export const eventsRoutes = createRouter()
  .openapi(createEventRoute, createEventHandler)
  .openapi(batchRoute, batchHandler)
  .openapi(enqueueRoute, enqueueHandler)
  .openapi(recentRoute, recentHandler)
  .openapi(searchRoute, searchHandler)
  .openapi(statsRoute, statsHandler)
  .openapi(exportRoute, exportHandler)
  .openapi(streamRoute, streamHandler);
