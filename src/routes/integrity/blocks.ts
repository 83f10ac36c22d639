import { z } from '@hono/zod-openapi';
import { blocksAfter } from '../../db/queries/integrity';
import { defineRoute } from '../define-route';
import { limitSchema, okResponses, WholeNumberSchema } from '../schemas';
import { BlockSchema, INTEGRITY_TAGS, toBlockObject } from './schemas';

const BlocksQuerySchema = z.strictObject({
  after_seq: WholeNumberSchema.pipe(z.int().min(0))
    .optional()
    .openapi({ type: 'integer', minimum: 0, description: 'Blocks after this seq (default 0: from the first)' }),
  limit: limitSchema({ max: 1000, description: 'At most this many (default 100)' }),
});

const BlocksSchema = z
  .object({
    count: z.number().int(),
    blocks: z.array(BlockSchema),
    next_after_seq: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Pass as after_seq for the next page; null at the end' }),
  })
  .openapi('IntegrityBlocks');

export const blocksRoute = defineRoute(
  {
    operationId: 'listIntegrityBlocks',
    scope: 'events:read',
    audit: null,
    route: 'GET /integrity/blocks',
    tags: INTEGRITY_TAGS,
    summary: 'The sealed blocks, oldest first: what an offline verifier needs',
    description:
      'Headers, hashes and signatures only (no event data, no per-event hashes): safe for any key with events:read. `npm run verify` checks the chain and signatures from these.',
    request: { query: BlocksQuerySchema },
    responses: okResponses(BlocksSchema, 'A page of blocks in seq order'),
  },
  async (c) => {
    const { after_seq: afterSeq = 0, limit = 100 } = c.req.valid('query');
    const blocks = await blocksAfter(c.var.database().db, afterSeq, limit);
    const last = blocks[blocks.length - 1];
    return c.json(
      {
        count: blocks.length,
        blocks: blocks.map(toBlockObject),
        next_after_seq: blocks.length === limit && last ? last.header.seq : null,
      },
      200,
    );
  },
);
