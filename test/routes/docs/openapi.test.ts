import { describe, expect, it } from 'vitest';
import { BASE, call } from '../../helpers/app';

describe('docs', () => {
  it('serves an OpenAPI document with the apiKey scheme and every route', async () => {
    const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.components.securitySchemes.APIKeyHeader).toEqual({ type: 'apiKey', in: 'header', name: 'CSIQ-APIKEY' });
    for (const path of [
      '/pyaudit/api/healthcheck',
      `${BASE}/create`,
      `${BASE}/batch`,
      `${BASE}/recent`,
      `${BASE}/search`,
      `${BASE}/get-eventtypenames-by-functionalityname`,
      `${BASE}/get-all-auditfunctionalities`,
      `${BASE}/get-all-companies`,
      `${BASE}/get-storelocations-by-company`,
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths[`${BASE}/create`]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '422', '500', '503']),
    );
  });

  it('serves Swagger UI pointing at the document, and ReDoc', async () => {
    const swagger = await (await call('/pyaudit/docs')).text();
    expect(swagger).toContain('/pyaudit/openapi.json');
    expect(swagger).toContain('SwaggerUIBundle');
    const redoc = await (await call('/pyaudit/redoc')).text();
    expect(redoc).toContain('<redoc spec-url="/pyaudit/openapi.json">');
  });
});
