import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

/** The PEM files of TEMPORAL_TLS_*, as paths; any one of them set turns TLS on. */
export interface TemporalTlsFiles {
  /** Client certificate and key, for mutual TLS: both or neither. */
  cert: string | undefined;
  key: string | undefined;
  /** The CA that signed the server's certificate, when the system's CAs do not know it. */
  ca: string | undefined;
  /** The name the server's certificate is checked against, when it differs from the address's host. */
  serverName: string | undefined;
}

/** What both `Connection.connect` (clients) and `NativeConnection.connect` (workers) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
}

/** The files are read once, at connection time: a rotated certificate takes effect at the next start. */
export function temporalTlsConfig(files: TemporalTlsFiles | undefined): TLSConfig | undefined {
  if (!files) return undefined;
  const read = (file: string) => readFileSync(file);
  return {
    ...(files.serverName ? { serverNameOverride: files.serverName } : {}),
    ...(files.ca ? { serverRootCACertificate: read(files.ca) } : {}),
    ...(files.cert && files.key ? { clientCertPair: { crt: read(files.cert), key: read(files.key) } } : {}),
  };
}

export function temporalConnectionOptions(address: string, tls: TemporalTlsFiles | undefined): TemporalConnectionOptions {
  const config = temporalTlsConfig(tls);
  return config ? { address, tls: config } : { address };
}
