import { z } from '@hono/zod-openapi';
import { requireSigningKey } from '../../integrity/keys';
import { seal } from '../../integrity/seal';
import { noteForAudit } from '../../lib/self-audit';
import { withMaintenanceDatabase } from '../../maintenance/run-maintenance';
import { defineRoute } from '../define-route';
import { errorResponse, okResponses } from '../schemas';
import { INTEGRITY_TAGS } from './schemas';

const SealResultSchema = z
  .object({
    status: z.enum(['sealed', 'nothing', 'raced']).openapi({
      description:
        'sealed: blocks were made; nothing: no event was waiting (no empty block is made); raced: another seal stored the next block first',
    }),
    blocks: z.array(z.number().int()).openapi({ description: 'seq of each block made' }),
    events: z.number().int(),
    more: z.boolean().openapi({ description: 'Events were still waiting when this run stopped (run it again)' }),
  })
  .openapi('IntegritySealResult');

export const sealRoute = defineRoute(
  {
    operationId: 'sealIntegrityBlock',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/integrity/seal',
    tags: INTEGRITY_TAGS,
    summary: 'Seal the events not sealed yet into signed blocks now',
    description:
      'What the every-minute cron does: events whose transactions have committed (below the commit horizon) and are not in a block yet go into new blocks of at most INTEGRITY_BLOCK_MAX_EVENTS, each with its Merkle root, chained to the previous block and signed. Events still being written are left for a later block. Admin key with every company.',
    responses: okResponses(SealResultSchema, 'What this run sealed', {
      503: errorResponse('No INTEGRITY_SIGNING_KEY, or the database is unavailable'),
    }),
  },
  async (c) => {
    const { config } = c.var;
    const key = await requireSigningKey(config);
    const outcome = await withMaintenanceDatabase(config, (db) =>
      seal(db, key, { maxEventsPerBlock: config.INTEGRITY_BLOCK_MAX_EVENTS }),
    );
    const blocks = outcome.blocks.map((b) => b.seq);
    noteForAudit(c, { integrity_seal: outcome.status, blocks: blocks.length, events: outcome.events });
    return c.json({ status: outcome.status, blocks, events: outcome.events, more: outcome.more }, 200);
  },
);
