import { z } from '@hono/zod-openapi';
import type { StoredBlock } from '../../db/queries/integrity';

/** The OpenAPI tag of every route of the area. */
export const INTEGRITY_TAGS = ['Integrity'];

/** A block as published: the header fields that are signed, its hash and its signature. */
export const BlockSchema = z
  .object({
    seq: z.number().int(),
    prev_hash: z.string().openapi({ description: 'block_hash of the previous block (64 zeros for block 1)' }),
    merkle_root: z.string().openapi({ description: 'RFC 6962 Merkle tree hash of the event hashes, hex' }),
    event_count: z.number().int(),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    first_time: z.string().nullable(),
    last_time: z.string().nullable(),
    start_position: z
      .string()
      .openapi({ description: '"<writexid>:<id>": the block holds events after this position' }),
    end_position: z.string().openapi({ description: '"<writexid>:<id>": ... up to and including this one' }),
    deletions_digest: z.string().nullable(),
    sealed_at: z.string(),
    key_id: z.string(),
    block_hash: z.string().openapi({ description: 'SHA-256 of the header text (docs/integrity.md), hex' }),
    signature: z.string().openapi({ description: 'Ed25519 signature of the header text, base64' }),
  })
  .openapi('IntegrityBlock');

export const toBlockObject = (b: StoredBlock) => ({ ...b.header, block_hash: b.blockHash, signature: b.signature });
