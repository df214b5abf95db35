import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { MailTransport } from '../mail/transport.js';
import type { Policy } from '../domain/policy.js';

/** What the activities need from the outside world; the worker passes the real ones. */
export interface ActivityDeps {
  prisma: PrismaClient;
  mail: MailTransport;
  /** The From header of every email. */
  mailFrom: string;
  /** Base of the links put in emails, e.g. https://sanctions.example.gov.cn */
  publicBaseUrl: string;
  /** Signs one-click links and reply addresses. */
  ackTokenSecret: string;
  /** The policy new tasks are dispatched under. */
  policy: Policy;
  log: Logger;
  now?: () => Date;
}
