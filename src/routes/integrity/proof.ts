import { z } from '@hono/zod-openapi';
import { blockBySeq, canonicalOfEvent, manifestOf, placementOf } from '../../db/queries/integrity';
import { auditPath, fromHex, leafHash, toHex } from '../../integrity/merkle';
import { HttpError } from '../../lib/errors';
import { defineRoute } from '../define-route';
import { errorResponse, IdSchema, okResponses } from '../schemas';
import { BlockSchema, INTEGRITY_TAGS, toBlockObject } from './schemas';

const ProofQuerySchema = z.strictObject({
  id: IdSchema.openapi({ type: 'integer', description: 'The event id', param: { required: true } }),
});

const ProofSchema = z
  .object({
    event_id: z.number().int(),
    canonical: z
      .string()
      .openapi({ description: "The event's canonical encoding as stored now (docs/integrity.md §1)" }),
    event_hash: z
      .string()
      .openapi({ description: 'The hash sealed in the block (hex); SHA-256 of canonical when untouched' }),
    leaf_index: z.number().int(),
    tree_size: z.number().int(),
    audit_path: z.array(z.string()).openapi({ description: 'RFC 6962 audit path, from the leaf up, hex' }),
    block: BlockSchema,
  })
  .openapi('IntegrityProof');

export const proofRoute = defineRoute(
  {
    operationId: 'getIntegrityProof',
    scope: 'events:read',
    audit: null,
    route: 'GET /integrity/proof',
    tags: INTEGRITY_TAGS,
    summary: 'An inclusion proof of one event in its signed block',
    description:
      "For a key's own events (a key limited to companies gets 404 for anyone else's, as for a missing event). The audit path holds hashes of subtrees only: no other event's content. Check: SHA-256(canonical) = event_hash; the audit path from SHA-256(0x00 || event_hash) leads to block.merkle_root; block.signature verifies with the key of /integrity/public-key.",
    request: { query: ProofQuerySchema },
    responses: okResponses(ProofSchema, 'The proof', {
      404: errorResponse('No such event (or not one of this key’s companies)'),
      409: errorResponse('The event is not sealed yet (blocks are sealed every minute)'),
    }),
  },
  async (c) => {
    const { id } = c.req.valid('query');
    const db = c.var.database().db;
    const eventId = String(id);
    const stored = await canonicalOfEvent(db, eventId);
    const { companies } = c.var.principal;
    if (!stored || (companies !== null && !companies.includes(Number(stored.companyid)))) {
      throw new HttpError(404, `Event ${eventId} not found`);
    }
    const placement = await placementOf(db, eventId);
    const block = placement ? await blockBySeq(db, Number(placement.block_seq)) : null;
    if (!placement || !block)
      throw new HttpError(409, `Event ${eventId} is not sealed yet; blocks are sealed every minute`);
    const manifest = await manifestOf(db, block.header.seq);
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < manifest.hashes.length; i += 64)
      leaves.push(leafHash(fromHex(manifest.hashes.slice(i, i + 64))));
    const eventHash = manifest.hashes.slice(placement.ord * 64, placement.ord * 64 + 64);
    return c.json(
      {
        event_id: id,
        canonical: stored.canonical,
        event_hash: eventHash,
        leaf_index: placement.ord,
        tree_size: leaves.length,
        audit_path: auditPath(placement.ord, leaves).map(toHex),
        block: toBlockObject(block),
      },
      200,
    );
  },
);
