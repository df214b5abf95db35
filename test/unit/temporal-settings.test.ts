import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSettings, loadSettings, missingSettings } from '../../platform/settings.js';
import { temporalConnectionOptions } from '../../platform/temporal-connection.js';

async function pemFiles() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'temporal-tls-'));
  const files = { cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client.key'), ca: path.join(dir, 'ca.pem') };
  for (const [name, file] of Object.entries(files)) await writeFile(file, `-----BEGIN ${name.toUpperCase()}-----\n${name}\n`);
  return files;
}

describe('the Temporal connection settings', () => {
  it('connect over mutual TLS with the configured CA and server name when the TEMPORAL_TLS_* files are set', async () => {
    const files = await pemFiles();
    const settings = loadSettings({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CERT: files.cert,
      TEMPORAL_TLS_KEY: files.key,
      TEMPORAL_TLS_CA: files.ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    });
    const options = temporalConnectionOptions(settings.temporal.address!, settings.temporal.tls);
    expect(options.address).toBe('temporal.internal:7233');
    expect(options.tls?.serverNameOverride).toBe('frontend.temporal.internal');
    expect(Buffer.from(options.tls!.serverRootCACertificate!).toString()).toContain('BEGIN CA');
    expect(Buffer.from(options.tls!.clientCertPair!.crt).toString()).toContain('BEGIN CERT');
    expect(Buffer.from(options.tls!.clientCertPair!.key).toString()).toContain('BEGIN KEY');
  });

  it('use TLS with the system CAs when only a CA or server name is set, and a plain connection when none is', async () => {
    const files = await pemFiles();
    const caOnly = loadSettings({ TEMPORAL_TLS_CA: files.ca });
    expect(temporalConnectionOptions('t:7233', caOnly.temporal.tls).tls).toEqual({ serverRootCACertificate: expect.any(Buffer) });
    expect(temporalConnectionOptions('t:7233', loadSettings({ TEMPORAL_TLS_SERVER_NAME: 'x' }).temporal.tls).tls).toEqual({ serverNameOverride: 'x' });
    expect(temporalConnectionOptions('t:7233', loadSettings({}).temporal.tls)).toEqual({ address: 't:7233' });
  });

  it('refuse a client certificate without its key', () => {
    expect(() => loadSettings({ TEMPORAL_TLS_CERT: '/etc/temporal/client.pem' })).toThrow(InvalidSettings);
    expect(() => loadSettings({ TEMPORAL_TLS_CERT: '/etc/temporal/client.pem' })).toThrow(/TEMPORAL_TLS_KEY/);
  });

  it('read the payload keys, refuse a malformed one without repeating it, and name a missing one', () => {
    const current = randomBytes(32).toString('base64');
    const previous = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64url')];
    const settings = loadSettings({ TEMPORAL_PAYLOAD_KEY: current, TEMPORAL_PAYLOAD_PREVIOUS_KEYS: previous.join(', ') });
    expect(settings.temporal.payloadKeys).toEqual({ current, previous });
    let message = '';
    try {
      loadSettings({ TEMPORAL_PAYLOAD_KEY: 'short-secret-value' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('TEMPORAL_PAYLOAD_KEY');
    expect(message).not.toContain('short-secret-value');
    expect(() => loadSettings({ TEMPORAL_PAYLOAD_PREVIOUS_KEYS: `${current},nope` })).toThrow(/TEMPORAL_PAYLOAD_PREVIOUS_KEYS/);
    expect(missingSettings(loadSettings({}), ['TEMPORAL_PAYLOAD_KEY'])).toEqual(['TEMPORAL_PAYLOAD_KEY']);
    expect(missingSettings(settings, ['TEMPORAL_PAYLOAD_KEY'])).toEqual([]);
  });

  it('read the codec endpoint origins', () => {
    expect(loadSettings({ TEMPORAL_CODEC_CORS_ORIGIN: 'http://localhost:8233/, https://temporal-ui.example' }).temporal.codecCorsOrigins).toEqual([
      'http://localhost:8233',
      'https://temporal-ui.example',
    ]);
    expect(() => loadSettings({ TEMPORAL_CODEC_CORS_ORIGIN: 'not a url' })).toThrow(/TEMPORAL_CODEC_CORS_ORIGIN/);
  });
});
