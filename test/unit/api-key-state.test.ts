import { describe, expect, it } from 'vitest';
import { apiKeyStateOf } from '../../domain/api-key-state.js';

describe('an API key', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it('is active until revoked or until its expiry', () => {
    expect(apiKeyStateOf({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(apiKeyStateOf({ revokedAt: null, expiresAt: new Date('2026-12-01T00:00:01Z') }, now)).toBe('active');
    expect(apiKeyStateOf({ revokedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(apiKeyStateOf({ revokedAt: now, expiresAt: new Date('2020-01-01Z') }, now)).toBe('revoked');
  });
});
