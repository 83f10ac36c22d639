import { createRouter } from '../define-route';
import { runsHandler, runsRoute } from './maintenance-runs';
import { partitionsHandler, partitionsRoute } from './partitions';
import { runMaintenanceHandler, runMaintenanceRoute } from './run-maintenance';

/** Admin routes of the data lifecycle (docs/lifecycle.md). */
export const lifecycleRoutes = createRouter()
  .openapi(partitionsRoute, partitionsHandler)
  .openapi(runsRoute, runsHandler)
  .openapi(runMaintenanceRoute, runMaintenanceHandler);
