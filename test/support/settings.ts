import { loadSettings, type Settings } from '../../platform/settings.js';

/**
 * Settings as a test process would read them from its environment, with the
 * HTTP server on a free port (0) unless a port is given.
 */
export function testSettings(env: Record<string, string | undefined> = {}, port = 0): Settings {
  const settings = loadSettings({ PUBLIC_BASE_URL: 'http://localhost:3000', MAIL_FROM: 'Sanctions Test <no-reply@sanctions.example>', ACK_TOKEN_SECRET: 'test-secret', ...env });
  return { ...settings, http: { ...settings.http, port } };
}
