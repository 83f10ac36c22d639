import { registerCatalogue } from './catalogue/catalogue';
import { registerEvents } from './events';
import { registerHealth } from './health';
import type { AppOpenAPI } from './route-helpers';

export function registerRoutes(app: AppOpenAPI) {
  registerHealth(app);
  registerEvents(app);
  registerCatalogue(app);
}
