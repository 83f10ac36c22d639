import { createRouter } from '../define-route';
import { whoamiHandler, whoamiRoute } from './whoami';

/** The calling key (any valid key). */
export const whoamiRoutes = createRouter().openapi(whoamiRoute, whoamiHandler);
