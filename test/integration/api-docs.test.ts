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
  // The listing schema is the validator's: its enum of circumstances and the ID pattern notes are there.
  expect(document.components.schemas.CreateListing.properties.circumstance.enum).toHaveLength(6);
  expect(document.components.schemas.CreateListing.required).toEqual(expect.arrayContaining(['caseNumber', 'debtor', 'circumstance', 'obligation']));
});

it('serves a browsable documentation page without signing in', async () => {
  const response = await fetch(`${stack.apiUrl}/api/docs/`);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('swagger-ui');
});
