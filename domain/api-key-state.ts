/**
 * Whether an API key still opens the API. A revoked key never does again; a
 * key with an expiry stops at that instant. Requests, dashboard sessions and
 * the imports a key started all ask this one rule.
 */
export type ApiKeyState = 'active' | 'revoked' | 'expired';

export function apiKeyStateOf(key: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}
