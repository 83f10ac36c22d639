import { createRouter } from '../define-route';
import { runMaintenanceHandler, runMaintenanceRoute, runsHandler, runsRoute } from './maintenance';
import { partitionsHandler, partitionsRoute } from './partitions';

/** Admin routes of the data lifecycle (docs/lifecycle.md). */
export const lifecycleRoutes = createRouter()
  .openapi(partitionsRoute, partitionsHandler)
  .openapi(runsRoute, runsHandler)
  .openapi(runMaintenanceRoute, runMaintenanceHandler);
