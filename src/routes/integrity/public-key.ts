import { z } from '@hono/zod-openapi';
import { integrityKeys } from '../../integrity/keys';
import { bytesToBase64, spkiPem } from '../../integrity/signing';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import { INTEGRITY_TAGS } from './schemas';

const PublicKeysSchema = z
  .object({
    algorithm: z.literal('Ed25519'),
    current_key_id: z.string().nullable().openapi({ description: 'The key new blocks are signed with' }),
    keys: z.array(
      z.object({
        key_id: z.string().openapi({ description: 'First 16 hex digits of SHA-256 of the raw public key' }),
        public_key: z.string().openapi({ description: 'The raw 32-byte public key, base64' }),
        pem: z.string().openapi({ description: 'The same as SPKI PEM (node:crypto createPublicKey reads it)' }),
      }),
    ),
  })
  .openapi('IntegrityPublicKeys');

export const publicKeyRoute = defineRoute(
  {
    operationId: 'getIntegrityPublicKey',
    scope: 'events:read',
    audit: null,
    route: 'GET /integrity/public-key',
    tags: INTEGRITY_TAGS,
    summary: 'The public keys that verify block signatures (the current one and earlier ones)',
    responses: okResponses(PublicKeysSchema, 'Every trusted key, by key id'),
  },
  async (c) => {
    const { signing, trusted } = await integrityKeys(c.var.config);
    return c.json(
      {
        algorithm: 'Ed25519' as const,
        current_key_id: signing?.keyId ?? null,
        keys: [...trusted.values()].map((k) => ({
          key_id: k.keyId,
          public_key: bytesToBase64(k.raw),
          pem: spkiPem(k.raw),
        })),
      },
      200,
    );
  },
);
