import type { UseCases } from '../app/index.js';
import type { Keyring } from '../platform/signing.js';
import type { DownPart } from '../platform/dependency-status.js';
import type { Mailbox } from './mailbox.js';

export interface DashboardDeps {
  useCases: UseCases;
  /** Signs session cookies and CSRF tokens. */
  keyring: Keyring;
  mailbox?: Mailbox | undefined;
  /** The parts down right now, for the banner on every page. */
  outage?: () => DownPart[];
  now?: () => Date;
}
