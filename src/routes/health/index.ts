import { createRouter } from '../define-route';
import { healthRoute } from './healthcheck';

/** The healthcheck (public: no key). */
export const healthRoutes = createRouter(healthRoute);
