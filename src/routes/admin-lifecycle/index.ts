import { createRouter } from '../define-route';
import { runsRoute } from './maintenance-runs';
import { partitionsRoute } from './partitions';
import { runMaintenanceRoute } from './run-maintenance';

/** Admin routes of the data lifecycle (docs/lifecycle.md). */
export const lifecycleRoutes = createRouter(partitionsRoute, runsRoute, runMaintenanceRoute);
