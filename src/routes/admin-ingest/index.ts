import { createRouter } from '../define-route';
import { deadLettersRoute } from './dead-letters';
import { replayRoute } from './replay';
import { ingestStatusRoute } from './status';

/** Admin routes of queued ingest (docs/queued-ingest.md); each declares the admin scope. */
export const ingestAdminRoutes = createRouter(ingestStatusRoute, deadLettersRoute, replayRoute);
