import { createRouter } from '../define-route';
import { companiesHandler, companiesRoute } from './companies';
import { eventTypesHandler, eventTypesRoute } from './event-types';
import { functionalitiesHandler, functionalitiesRoute } from './functionalities';
import { storesHandler, storesRoute } from './stores';

/** The catalogue and directory reads of the old service (events:read). */
export const catalogueRoutes = createRouter()
  .openapi(eventTypesRoute, eventTypesHandler)
  .openapi(functionalitiesRoute, functionalitiesHandler)
  .openapi(companiesRoute, companiesHandler)
  .openapi(storesRoute, storesHandler);
