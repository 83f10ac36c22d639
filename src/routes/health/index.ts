import { createRouter } from '../define-route';
import { healthHandler, healthRoute } from './healthcheck';

/** The healthcheck (public: no key). */
export const healthRoutes = createRouter().openapi(healthRoute, healthHandler);
