import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { revokeKey } from '../../db/queries/admin-keys';
import { forgetKey } from '../../lib/api-key-cache';
import { HttpError } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { defineRoute } from '../define-route';
import { KEYS_TAGS, NameParamSchema, revokeResponses, toApiKey } from './schemas';

export const revokeKeyRoute = defineRoute(
  {
    operationId: 'revokeApiKey',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/keys/{name}/revoke',
    tags: KEYS_TAGS,
    summary: 'Revoke an API key',
    description: 'Refused at once by this isolate, and by every other within API_KEY_CACHE_TTL_SECONDS (60 s at most).',
    request: { params: NameParamSchema },
    responses: revokeResponses,
  },
  async (c) => c.json(await revokeNamedKey(c, c.req.valid('param').name), 200),
);

/** Revokes the named key (revoke and delete): the answer body, or 404. */
export async function revokeNamedKey(c: Context<AppEnv>, name: string) {
  noteForAudit(c, { target_key: name });
  const outcome = await revokeKey(c.var.database().db, { name });
  if (!outcome) throw new HttpError(404, `No API key is named ${name}`);
  forgetKey(outcome.record.id);
  noteForAudit(c, { target_prefix: outcome.record.prefix });
  return {
    StatusCode: 200 as const,
    message: outcome.alreadyRevoked ? 'API key was already revoked' : 'API key revoked',
    ...toApiKey(outcome.record),
  };
}
