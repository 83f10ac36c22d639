import { z } from '@hono/zod-openapi';
import { upsertCompany } from '../../db/queries/admin-catalogue';
import { noteForAudit } from '../../lib/self-audit';
import { defineRoute } from '../define-route';
import { jsonBody, jsonResponse, okResponses } from '../schemas';
import { requireCompany } from './require-company';
import { ADMIN_CATALOGUE_TAGS, idParam, NameBody, notThisCompanyResponse, upsertAnswerSchemas } from './schemas';

const answers = upsertAnswerSchemas('Company', { CompanyID: z.number().int(), CompanyName: z.string() });

export const upsertCompanyRoute = defineRoute(
  {
    operationId: 'upsertCompany',
    scope: 'admin',
    audit: 'Admin action',
    tenantAdmin: true,
    route: 'PUT /admin/companies/{company_id}',
    tags: ADMIN_CATALOGUE_TAGS,
    summary: 'Add or rename a company in the directory',
    request: {
      params: z.object({ company_id: idParam('company_id', 5001) }),
      body: jsonBody(NameBody.openapi('CompanyUpsert')),
    },
    responses: okResponses(answers.renamed, 'Renamed', {
      201: jsonResponse(answers.added, 'Added'),
      403: notThisCompanyResponse,
    }),
  },
  async (c) => {
    const { company_id } = c.req.valid('param');
    const { name } = c.req.valid('json');
    requireCompany(c, company_id);
    noteForAudit(c, { company_id, name });
    const row = await upsertCompany(c.var.database().db, company_id, name);
    const body = { CompanyID: row.CompanyID, CompanyName: row.CompanyName };
    return row.created
      ? c.json({ StatusCode: 201 as const, message: 'Company added', ...body }, 201)
      : c.json({ StatusCode: 200 as const, message: 'Company updated', ...body }, 200);
  },
);
