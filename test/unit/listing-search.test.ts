import { describe, expect, it } from 'vitest';
import { identifierSearchRefusal, mayFindByIdentifier } from '../../domain/listing-search.js';
import { apiKeyStateOf } from '../../domain/api-key-state.js';

describe('the listing search for a department', () => {
  it('refuses identifiers, their pieces and their masks', () => {
    for (const q of ['640104198005173214', '91640100MA0000001X', '640104', '19800517', '640104********3214', ' 1980051 7 ']) {
      expect(identifierSearchRefusal('department', q), q).toMatch(/restrictions\/check/);
    }
  });

  it('keeps case numbers and names, and leaves other roles alone', () => {
    for (const q of ['（2026）宁01执4711号', '宁01执100001', '赵某某', 'ACME Holdings', '4711', '3214']) expect(identifierSearchRefusal('department', q), q).toBeNull();
    for (const role of ['clerk', 'supervisor'] as const) {
      expect(identifierSearchRefusal(role, '640104198005173214')).toBeNull();
      expect(mayFindByIdentifier(role)).toBe(true);
    }
    expect(mayFindByIdentifier('department')).toBe(false);
  });
});

describe('an API key', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it('is active until revoked or until its expiry', () => {
    expect(apiKeyStateOf({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(apiKeyStateOf({ revokedAt: null, expiresAt: new Date('2026-12-01T00:00:01Z') }, now)).toBe('active');
    expect(apiKeyStateOf({ revokedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(apiKeyStateOf({ revokedAt: now, expiresAt: new Date('2020-01-01Z') }, now)).toBe('revoked');
  });
});
