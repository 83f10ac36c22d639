import { createRouter } from '../define-route';
import { addEventTypesRoute } from './add-event-types';
import { addFunctionalityRoute } from './add-functionality';
import { upsertCompanyRoute } from './upsert-company';
import { upsertStoreRoute } from './upsert-store';

/** Changing the catalogue (functionalities, event types) and the directory (companies, stores). */
export const adminCatalogueRoutes = createRouter(
  addFunctionalityRoute,
  addEventTypesRoute,
  upsertCompanyRoute,
  upsertStoreRoute,
);
