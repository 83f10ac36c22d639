import { registerAdminCatalogue } from './admin/catalogue';
import { registerIngestAdmin } from './admin/ingest';
import { registerAdminKeys } from './admin/keys';
import { registerLifecycleAdmin } from './admin/lifecycle';
import { registerCatalogue } from './catalogue/catalogue';
import { registerEvents } from './events';
import { registerHealth } from './health';
import { registerIntegrity } from './integrity';
import type { AppOpenAPI } from './route-helpers';
import { registerWhoami } from './whoami/whoami';

export function registerRoutes(app: AppOpenAPI) {
  registerHealth(app);
  registerEvents(app);
  registerCatalogue(app);
  registerAdminKeys(app);
  registerAdminCatalogue(app);
  registerLifecycleAdmin(app);
  registerIngestAdmin(app);
  registerIntegrity(app);
  registerWhoami(app);
}
