import type { UseCases } from '../app/index.js';
import type { Keyring } from '../platform/signing.js';
import type { Mailbox } from './mailbox.js';

export interface DashboardDeps {
  useCases: UseCases;
  /** Signs session cookies and CSRF tokens. */
  keyring: Keyring;
  mailbox?: Mailbox | undefined;
  now?: () => Date;
}
