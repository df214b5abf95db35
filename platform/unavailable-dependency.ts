import { Prisma } from '../prisma/generated/client.js';

/** Prisma codes for a database that is down, restarting or not answering. */
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'postgres']);
/** gRPC status codes of a Temporal frontend that is away. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
/** Temporal refusing more work for now (e.g. too many updates in flight on one workflow): nothing was accepted. */
const GRPC_RESOURCE_EXHAUSTED = 8;

function driverErrorKind(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const meta = error.meta as { driverAdapterError?: { cause?: { kind?: string; code?: string } } } | undefined;
  const cause = meta?.driverAdapterError?.cause;
  // 57P01..57P03: the server is shutting down or starting up.
  if (cause?.kind === 'postgres' && !/^57P0[123]$/.test(cause.code ?? '')) return undefined;
  return cause?.kind;
}

/**
 * Which dependency an error says is unreachable, if any: those are answered
 * with 503 (retry later), not 500, and they changed nothing.
 */
export function unavailableDependency(error: unknown): 'database' | 'temporal' | null {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (UNREACHABLE_CODES.has(error.code)) return 'database';
    const kind = driverErrorKind(error);
    if (kind && UNREACHABLE_KINDS.has(kind)) return 'database';
    if (error.code === 'P2010' && /can't reach database|connection (terminated|closed|refused)|terminating connection/i.test(error.message)) return 'database';
  }
  if (error instanceof Prisma.PrismaClientInitializationError) return 'database';
  // pg's own errors when the server cuts its connections carry no Prisma code.
  if (error instanceof Error && /is not queryable|Connection terminated|terminating connection|ECONNREFUSED|ECONNRESET/i.test(error.message)) return 'database';
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_RESOURCE_EXHAUSTED) && /ServiceError|grpc|UNAVAILABLE|DEADLINE|RESOURCE_EXHAUSTED/i.test(`${error.name} ${error.message}`)) {
    return 'temporal';
  }
  if (error instanceof Error && error.cause) return unavailableDependency(error.cause);
  return null;
}
