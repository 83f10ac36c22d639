import type { z } from '@hono/zod-openapi';
import { errorResponses, jsonResponse, listEnvelopeSchema } from '../schemas';

/** The old service's catalogue and directory reads: their paths, tag and list answers. */

export const CATALOGUE_TAGS = ['Catalogue and directory'];

/** 200 with a list in the old envelope (component `name`, rows under `key`), the route's own errors, the usual ones. */
export const listResponses = <T extends z.ZodType, E extends Record<number, ReturnType<typeof jsonResponse>>>(
  name: string,
  key: 'events' | 'Data',
  item: T,
  description: string,
  ownErrors?: E,
) => ({
  200: jsonResponse(listEnvelopeSchema(name, key, item), description),
  ...(ownErrors as E),
  ...errorResponses,
});
