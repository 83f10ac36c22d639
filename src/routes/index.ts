import { adminCatalogueRoutes } from './admin-catalogue';
import { ingestAdminRoutes } from './admin-ingest';
import { adminKeysRoutes } from './admin-keys';
import { lifecycleRoutes } from './admin-lifecycle';
import { catalogueRoutes } from './catalogue';
import type { AppOpenAPI } from './define-route';
import { eventsRoutes } from './events';
import { healthRoutes } from './health';
import { integrityRoutes } from './integrity';
import { API_PREFIX } from './paths';
import { whoamiRoutes } from './whoami';

/** The areas, in the order of the OpenAPI document; each mounted under the API prefix once. */
const AREAS = [
  healthRoutes,
  eventsRoutes,
  catalogueRoutes,
  adminKeysRoutes,
  adminCatalogueRoutes,
  lifecycleRoutes,
  ingestAdminRoutes,
  integrityRoutes,
  whoamiRoutes,
];

export function mountApi(app: AppOpenAPI) {
  for (const area of AREAS) app.route(API_PREFIX, area);
}
