import { createRouter } from '../define-route';
import { companiesRoute } from './companies';
import { eventTypesRoute } from './event-types';
import { functionalitiesRoute } from './functionalities';
import { storesRoute } from './stores';

/** The catalogue and directory reads of the old service (events:read). */
export const catalogueRoutes = createRouter(eventTypesRoute, functionalitiesRoute, companiesRoute, storesRoute);
