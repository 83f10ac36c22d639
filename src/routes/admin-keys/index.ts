import { createRouter } from '../define-route';
import { createKeyHandler, createKeyRoute } from './create';
import { deleteKeyHandler, deleteKeyRoute } from './delete';
import { listKeysHandler, listKeysRoute } from './list';
import { revokeKeyHandler, revokeKeyRoute } from './revoke';

/** Managing API keys (admin; docs/security-keys.md). */
export const adminKeysRoutes = createRouter()
  .openapi(createKeyRoute, createKeyHandler)
  .openapi(listKeysRoute, listKeysHandler)
  .openapi(revokeKeyRoute, revokeKeyHandler)
  .openapi(deleteKeyRoute, deleteKeyHandler);
