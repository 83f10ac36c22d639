import { createRouter } from '../define-route';
import { batchRoute } from './batch';
import { createEventRoute } from './create';
import { enqueueRoute } from './enqueue';
import { exportRoute } from './export';
import { recentRoute } from './recent';
import { searchRoute } from './search';
import { statsRoute } from './stats';
import { streamRoute } from './stream';

/** Writing, reading, exporting and tailing audit events. */
export const eventsRoutes = createRouter(
  createEventRoute,
  batchRoute,
  enqueueRoute,
  recentRoute,
  searchRoute,
  statsRoute,
  exportRoute,
  streamRoute,
);
