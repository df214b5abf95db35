import type { DataConverter } from '@temporalio/common';
import { createEncryptionCodec, encryptingDataConverter } from '../../platform/payload-codec.js';
import { loadSettings, type Settings } from '../../platform/settings.js';

/** The payload key of every test process and of the services the fault tests start. */
export const TEST_PAYLOAD_KEY = Buffer.from('sanctions-test-temporal-payloads').toString('base64');

/**
 * Settings as a test process would read them from its environment, with the
 * HTTP server on a free port (0) unless a port is given.
 */
export function testSettings(env: Record<string, string | undefined> = {}, port = 0): Settings {
  const settings = loadSettings({ PUBLIC_BASE_URL: 'http://localhost:3000', MAIL_FROM: 'Sanctions Test <no-reply@sanctions.example>', ACK_TOKEN_SECRET: 'test-secret', TEMPORAL_PAYLOAD_KEY: TEST_PAYLOAD_KEY, ...env });
  return { ...settings, http: { ...settings.http, port } };
}

/** What a test's own Temporal client needs to read what the system under test sealed. */
export function testDataConverter(): DataConverter {
  return encryptingDataConverter(createEncryptionCodec({ current: TEST_PAYLOAD_KEY }));
}
