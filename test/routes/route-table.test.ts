import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import type { AppEnv } from '../../src/app-env';
import { assertEveryRouteDeclared, createRouter, defineRoute, routeTable } from '../../src/routes/define-route';
import { get } from '../helpers/app';

/**
 * Issue 12.1: every operation declares its scope and self-audit action beside its path and
 * schema (defineRoute). This table is the review surface: a change of who may call what, or of
 * what is audited, shows up here.
 */
const EXPECTED = `
GET    /pyaudit/api/healthcheck                                                 healthcheck                    public       -
POST   /pyaudit/api/audit-events/create                                         createAuditEvent               events:write -
POST   /pyaudit/api/audit-events/batch                                          createAuditEventBatch          events:write -
POST   /pyaudit/api/audit-events/enqueue                                        enqueueAuditEvents             events:write -
GET    /pyaudit/api/audit-events/recent                                         listRecentAuditEvents          events:read  Recent
GET    /pyaudit/api/audit-events/search                                         searchAuditEvents              events:read  Search
GET    /pyaudit/api/audit-events/stats                                          countAuditEventsByBucket       events:read  -
GET    /pyaudit/api/audit-events/export                                         exportAuditEvents              events:read  Export
GET    /pyaudit/api/audit-events/stream                                         streamAuditEvents              events:read  Stream
GET    /pyaudit/api/audit-events/get-eventtypenames-by-functionalityname        listEventTypesOfFunctionality  events:read  -
GET    /pyaudit/api/audit-events/get-all-auditfunctionalities                   listFunctionalities            events:read  -
GET    /pyaudit/api/audit-events/get-all-companies                              listCompanies                  events:read  -
GET    /pyaudit/api/audit-events/get-storelocations-by-company                  listStoreLocationsOfCompany    events:read  -
POST   /pyaudit/api/admin/keys                                                  createApiKey                   admin        Admin action
GET    /pyaudit/api/admin/keys                                                  listApiKeys                    admin        Admin action
POST   /pyaudit/api/admin/keys/{name}/revoke                                    revokeApiKey                   admin        Admin action
DELETE /pyaudit/api/admin/keys/{name}                                           deleteApiKey                   admin        Admin action
POST   /pyaudit/api/admin/functionalities                                       addFunctionality               admin        Admin action
POST   /pyaudit/api/admin/functionalities/{name}/event-types                    addEventTypes                  admin        Admin action
PUT    /pyaudit/api/admin/companies/{company_id}                                upsertCompany                  admin+tenant Admin action
PUT    /pyaudit/api/admin/companies/{company_id}/stores/{store_id}              upsertStoreLocation            admin+tenant Admin action
GET    /pyaudit/api/admin/partitions                                            listPartitions                 admin        Admin action
GET    /pyaudit/api/admin/maintenance/runs                                      listMaintenanceRuns            admin        Admin action
POST   /pyaudit/api/admin/maintenance/run                                       runMaintenance                 admin        Admin action
GET    /pyaudit/api/admin/ingest/status                                         getIngestStatus                admin        Admin action
GET    /pyaudit/api/admin/ingest/dead-letters                                   listDeadLetters                admin        Admin action
POST   /pyaudit/api/admin/ingest/dead-letters/{id}/replay                       replayDeadLetter               admin        Admin action
POST   /pyaudit/api/admin/integrity/seal                                    sealIntegrityBlock             admin        Admin action
GET    /pyaudit/api/integrity/verify                                            verifyIntegrity                events:read  -
GET    /pyaudit/api/integrity/proof                                             getIntegrityProof              events:read  -
GET    /pyaudit/api/integrity/blocks                                            listIntegrityBlocks            events:read  -
GET    /pyaudit/api/integrity/public-key                                        getIntegrityPublicKey          events:read  -
GET    /pyaudit/api/whoami                                                      whoami                         any-key      -
`;

const parse = (table: string) =>
  table
    .trim()
    .split('\n')
    .map((line) => {
      const [method, path, operationId, scope, ...audit] = line.trim().split(/\s+/);
      return { method, path, operationId, scope, audit: audit.join(' ') };
    });

const openApiPath = (honoPath: string) => honoPath.replaceAll(/\/:([^/]+)/g, '/{$1}');

describe('the route table (issue 12.1)', () => {
  it('lists every operation of the OpenAPI document with its scope and audit action', async () => {
    const doc = (await (await get('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const fromDocument = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    // The docs pages (/pyaudit/docs, /redoc, /openapi.json) are public pages, not operations.
    const api = routeTable(createApp()).filter((row) => row.path.startsWith('/pyaudit/api/'));
    const table = api.map((row) => ({
      method: row.method,
      path: openApiPath(row.path),
      operationId: 'operationId' in row ? row.operationId : '(undeclared)',
      scope: 'scope' in row ? `${row.scope}${row.tenantAdmin ? '+tenant' : ''}` : '(undeclared)',
      audit: 'audit' in row ? (row.audit ?? '-') : '(undeclared)',
    }));
    expect(table).toEqual(parse(EXPECTED));
    // The document and the router agree, operationId included.
    expect(fromDocument.sort()).toEqual(table.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
  });

  it('operationIds are unique', () => {
    const ids = parse(EXPECTED).map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the startup check (issue 12.1)', () => {
  const plain = createRoute({
    method: 'get',
    path: '/undeclared',
    responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({}) } } } },
  });

  it('refuses a route registered without defineRoute', () => {
    const app = new OpenAPIHono<AppEnv>();
    app.route(
      '/pyaudit/api',
      createRouter().openapi(plain, (c) => c.json({}, 200)),
    );
    expect(() => assertEveryRouteDeclared(app, '/pyaudit/api')).toThrow(
      'Routes without a declared scope (define them with defineRoute): GET /pyaudit/api/undeclared',
    );
  });

  it('refuses a plain Hono handler under the API prefix', () => {
    const app = new OpenAPIHono<AppEnv>();
    app.post('/pyaudit/api/sneaky', (c) => c.text('no guard'));
    expect(() => assertEveryRouteDeclared(app, '/pyaudit/api')).toThrow('POST /pyaudit/api/sneaky');
  });

  it('accepts the same route declared with defineRoute', () => {
    const app = new OpenAPIHono<AppEnv>();
    const { method: _method, path: _path, ...config } = plain;
    const declared = defineRoute(
      { ...config, route: 'GET /undeclared', operationId: 'declared', scope: 'events:read', audit: null },
      (c) => c.json({}, 200),
    );
    app.route('/pyaudit/api', createRouter(declared));
    expect(() => assertEveryRouteDeclared(app, '/pyaudit/api')).not.toThrow();
  });

  it('is run by createApp', () => {
    expect(() => createApp()).not.toThrow();
  });
});
