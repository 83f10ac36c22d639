import { createRouter } from '../define-route';
import { addEventTypesHandler, addEventTypesRoute } from './add-event-types';
import { addFunctionalityHandler, addFunctionalityRoute } from './add-functionality';
import { upsertCompanyHandler, upsertCompanyRoute } from './upsert-company';
import { upsertStoreHandler, upsertStoreRoute } from './upsert-store';

/** Changing the catalogue (functionalities, event types) and the directory (companies, stores). */
export const adminCatalogueRoutes = createRouter()
  .openapi(addFunctionalityRoute, addFunctionalityHandler)
  .openapi(addEventTypesRoute, addEventTypesHandler)
  .openapi(upsertCompanyRoute, upsertCompanyHandler)
  .openapi(upsertStoreRoute, upsertStoreHandler);
