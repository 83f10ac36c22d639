import { createRouter } from '../define-route';
import { whoamiRoute } from './whoami';

/** The calling key (any valid key). */
export const whoamiRoutes = createRouter(whoamiRoute);
