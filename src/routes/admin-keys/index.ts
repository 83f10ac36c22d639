import { createRouter } from '../define-route';
import { createKeyRoute } from './create';
import { deleteKeyRoute } from './delete';
import { listKeysRoute } from './list';
import { revokeKeyRoute } from './revoke';

/** Managing API keys (admin; docs/security-keys.md). */
export const adminKeysRoutes = createRouter(createKeyRoute, listKeysRoute, revokeKeyRoute, deleteKeyRoute);
