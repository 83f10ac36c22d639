import { defineRoute } from '../define-route';
import { revokeNamedKey } from './revoke';
import { KEYS_TAGS, NameParamSchema, revokeResponses } from './schemas';

export const deleteKeyRoute = defineRoute(
  {
    operationId: 'deleteApiKey',
    scope: 'admin',
    audit: 'Admin action',
    route: 'DELETE /admin/keys/{name}',
    tags: KEYS_TAGS,
    summary: 'Revoke an API key (same as POST .../revoke; the row stays for the record)',
    request: { params: NameParamSchema },
    responses: revokeResponses,
  },
  async (c) => c.json(await revokeNamedKey(c, c.req.valid('param').name), 200),
);
