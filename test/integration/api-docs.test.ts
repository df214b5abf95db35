// The OpenAPI document is valid 3.1, describes the routes, and is browsable.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

it('serves a valid OpenAPI 3.1 document built from the request schemas', async () => {
  const response = await stack.request('GET', '/api/openapi.json');
  expect(response.status).toBe(200);
  const document = response.body;
  expect(document.openapi).toBe('3.1.0');
  const result = await new Validator().validate(document);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  for (const path of ['/api/listings', '/api/listings/import', '/api/tasks/{id}/acknowledge', '/api/supervision/overdue', '/ack/{token}']) expect(document.paths).toHaveProperty([path]);
  // Asset searches (网络执行查控): the clerk's and the institution's sides, and the email link's page.
  for (const path of ['/api/institutions', '/api/institutions/{code}/keys', '/api/signing-keys', '/api/asset-searches', '/api/asset-searches/{id}', '/api/asset-searches/{id}/close', '/api/asset-requests', '/api/asset-requests/{id}/answer', '/asset-answers/{token}']) {
    expect(document.paths).toHaveProperty([path]);
  }
  expect(document.paths['/asset-answers/{token}'].post.security).toEqual([]);
  expect(Object.keys(document.webhooks)).toEqual(expect.arrayContaining(['restriction-change', 'asset-request']));
  // The answer's schema is the validator's, and says what the signature covers.
  expect(document.components.schemas.AssetAnswer.required).toEqual(expect.arrayContaining(['findings', 'signature', 'keyId']));
  expect(document.components.schemas.AssetAnswer.description).toContain('RFC 8785');
  // Control orders and freezes: the clerk's order, the institution's signed confirmation, the releases of a case, and what supervisors watch.
  const control = {
    '/api/control-orders': ['post', 'get'],
    '/api/control-orders/{id}/confirm': ['post'],
    '/api/listings/{id}/freeze-releases': ['post'],
    '/api/supervision/freezes': ['get'],
    '/api/supervision/asset-overdue': ['get'],
    '/api/supervision/asset-stats': ['get'],
  };
  for (const [path, methods] of Object.entries(control)) expect(Object.keys(document.paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
  // The confirmation's schema is the validator's, and says what the signature covers: the body without signature and keyId, with orderId.
  const confirmation = document.components.schemas.ControlConfirmation;
  expect(confirmation.required).toEqual(expect.arrayContaining(['amountYuan', 'reference', 'effectiveAt', 'signature', 'keyId']));
  expect(confirmation.additionalProperties).toBe(false);
  expect(confirmation.description).toContain('RFC 8785');
  expect(confirmation.description).toContain('`orderId`');
  expect(document.paths['/api/control-orders/{id}/confirm'].post.description).toContain('`confirmation-refused`');
  expect(document.components.schemas.CreateControlOrder.properties.action.enum).toEqual(['freeze', 'renew', 'deduct', 'release']);
  expect(document.components.schemas.CreateControlOrder.required).toEqual(expect.arrayContaining(['findingId', 'action']));
  expect(document.paths['/api/supervision/freezes'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['expiringWithinDays', 'caseNumber']));
  expect(document.paths['/api/supervision/asset-stats'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['month']);
  for (const path of ['/api/control-orders', '/api/control-orders/{id}/confirm', '/api/listings/{id}/freeze-releases']) {
    expect(document.paths[path].post.parameters.map((parameter: { name: string }) => parameter.name), path).toContain('Idempotency-Key');
  }
  expect(document.components.schemas.CreateApiKey.properties.role.enum).toContain('institution');
  expect(document.components.schemas.CreateApiKey.properties).toHaveProperty(['institutionCode']);
  // The listing schema is the validator's: its enum of circumstances and the ID pattern notes are there.
  expect(document.components.schemas.CreateListing.properties.circumstance.enum).toHaveLength(6);
  expect(document.components.schemas.CreateListing.required).toEqual(expect.arrayContaining(['caseNumber', 'debtor', 'circumstance', 'obligation']));
});

it('serves a browsable documentation page without signing in', async () => {
  const response = await fetch(`${stack.apiUrl}/api/docs/`);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('swagger-ui');
});
