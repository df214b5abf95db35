import type { Services } from '../app/index.js';
import type { MailCatcher } from '../dev/mail-catcher.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { DashboardKeys } from './keys.js';

export interface DashboardDeps {
  prisma: PrismaClient;
  services: Services;
  keys: () => Promise<DashboardKeys>;
  mailCatcher?: MailCatcher | undefined;
  now?: () => Date;
}
