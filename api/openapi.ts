import { z } from 'zod';
import { createApiKeySchema, createListingSchema } from './schemas.js';

const schema = (zodSchema: z.ZodType) => z.toJSONSchema(zodSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const jsonBody = (name: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });

/** The OpenAPI 3.1 document, built from the same zod schemas that check requests. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Joint Sanctions Coordinator API (联合惩戒协同平台)',
      version: '0.1.0',
      description: 'Lists dishonest judgment debtors and coordinates the departments that apply and lift credit sanctions.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreateListing: schema(createListingSchema),
        CreateApiKey: schema(createApiKeySchema),
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            status: { type: 'integer' },
            title: { type: 'string' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' }, rule: { type: 'string' } } },
            },
          },
          required: ['status', 'title', 'detail'],
        },
      },
    },
    paths: {
      '/api/api-keys': {
        post: { summary: 'Create an API key (admin)', requestBody: jsonBody('CreateApiKey'), responses: { 201: { description: 'The key, shown once' }, 400: problem, 401: problem, 403: problem } },
      },
      '/api/catalog': { get: { summary: 'The current measures catalog', responses: { 200: { description: 'Categories, measures, departments' }, 401: problem } } },
      '/api/listings': {
        post: {
          summary: 'List a debtor and start the sanction (clerk)',
          requestBody: jsonBody('CreateListing'),
          responses: { 201: { description: 'Listed; the sanction workflow started' }, 200: { description: 'The same listing was posted before' }, 400: problem, 401: problem, 403: problem, 413: problem, 415: problem },
        },
      },
      '/api/listings/{id}': {
        get: {
          summary: 'A listing with its department tasks',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { 200: { description: 'The listing' }, 401: problem, 403: problem, 404: problem },
        },
      },
      '/healthz': { get: { summary: 'Database and Temporal reachable', security: [], responses: { 200: { description: 'Healthy' }, 503: problem } } },
    },
  };
}
