import type { AppOpenAPI } from '../route-helpers';
import { runMaintenanceHandler, runMaintenanceRoute, runsHandler, runsRoute } from './maintenance';
import { partitionsHandler, partitionsRoute } from './partitions';

/** Admin routes of the data lifecycle (docs/lifecycle.md); the admin scope is required centrally. */
export const registerLifecycleAdmin = (app: AppOpenAPI) =>
  app
    .openapi(partitionsRoute, partitionsHandler)
    .openapi(runsRoute, runsHandler)
    .openapi(runMaintenanceRoute, runMaintenanceHandler);
