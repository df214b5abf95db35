import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { MailTransport } from '../mail/transport.js';
import type { Policy } from '../domain/policy.js';
import type { Keyring } from '../platform/signing.js';
import type { DisclosureLog } from '../db/disclosure-log.js';
import type { ListingIntake, WorkflowRelay } from './ports.js';

/** What the activities need from the outside world; the worker passes the real ones. */
export interface ActivityDeps {
  prisma: PrismaClient;
  mail: MailTransport;
  /** The From header of every email. */
  mailFrom: string;
  /** Base of the links put in emails, e.g. https://sanctions.example.gov.cn */
  publicBaseUrl: string;
  /** Signs one-click links and reply addresses. */
  keyring: Keyring;
  /** Whether this installation receives replies: notices carry a reply address only then. */
  repliesEnabled: boolean;
  /** The policy new tasks are dispatched under. */
  policy: Policy;
  log: Logger;
  /** Records an imported row as a listing, as POST /api/listings does. */
  listingIntake: ListingIntake;
  /** Starts workflows that were recorded but never started. */
  relay: WorkflowRelay;
  /** Where a full identifier sent to a department's system is logged. */
  disclosures: DisclosureLog;
  now?: () => Date;
}
