import { z } from '@hono/zod-openapi';
import { upsertStore } from '../../db/queries/admin-catalogue';
import { HttpError } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { defineRoute } from '../define-route';
import { API_PREFIX } from '../paths';
import { errorResponse, jsonBody, jsonResponse, okResponses } from '../schemas';
import { requireCompany } from './require-company';
import { ADMIN_CATALOGUE_TAGS, idParam, NameBody, notThisCompanyResponse, upsertAnswerSchemas } from './schemas';

const answers = upsertAnswerSchemas('Store', {
  CompanyID: z.number().int(),
  StoreLocationID: z.number().int(),
  StoreName: z.string(),
});

export const upsertStoreRoute = defineRoute(
  {
    operationId: 'upsertStoreLocation',
    scope: 'admin',
    audit: 'Admin action',
    tenantAdmin: true,
    route: 'PUT /admin/companies/{company_id}/stores/{store_id}',
    tags: ADMIN_CATALOGUE_TAGS,
    summary: 'Add or rename a store location of a company',
    request: {
      params: z.object({ company_id: idParam('company_id', 5001), store_id: idParam('store_id', 101) }),
      body: jsonBody(NameBody.openapi('StoreUpsert')),
    },
    responses: okResponses(answers.renamed, 'Renamed', {
      201: jsonResponse(answers.added, 'Added'),
      403: notThisCompanyResponse,
      404: errorResponse('The company is not in the directory; PUT it first'),
    }),
  },
  async (c) => {
    const { company_id, store_id } = c.req.valid('param');
    const { name } = c.req.valid('json');
    requireCompany(c, company_id);
    noteForAudit(c, { company_id, store_id, name });
    const row = await upsertStore(c.var.database().db, company_id, store_id, name);
    if (!row) {
      throw new HttpError(
        404,
        `Company ${company_id} is not in the directory; add it first with PUT ${API_PREFIX}/admin/companies/${company_id}`,
      );
    }
    const body = { CompanyID: row.CompanyID, StoreLocationID: row.StoreLocationID, StoreName: row.StoreName };
    return row.created
      ? c.json({ StatusCode: 201 as const, message: 'Store location added', ...body }, 201)
      : c.json({ StatusCode: 200 as const, message: 'Store location updated', ...body }, 200);
  },
);
