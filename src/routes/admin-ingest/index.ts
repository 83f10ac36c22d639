import { createRouter } from '../define-route';
import { deadLettersHandler, deadLettersRoute } from './dead-letters';
import { replayHandler, replayRoute } from './replay';
import { ingestStatusHandler, ingestStatusRoute } from './status';

/** Admin routes of queued ingest (docs/queued-ingest.md); each declares the admin scope. */
export const ingestAdminRoutes = createRouter()
  .openapi(ingestStatusRoute, ingestStatusHandler)
  .openapi(deadLettersRoute, deadLettersHandler)
  .openapi(replayRoute, replayHandler);
