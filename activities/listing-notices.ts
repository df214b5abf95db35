import { composePublicRoleNotice, type PublicRole } from '../mail/compose-notices.js';
import type { Listing } from '../prisma/generated/client.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';
import { sendOnce, type OnceMail } from './send-once.js';

export interface ListingNoticeInput {
  listingId: string;
  type: 'public-role';
}

/**
 * Art. 8: a debtor who is a state employee, NPC deputy or CPPCC member has its
 * unit or body notified — the email for it, or null when the debtor holds no
 * public role.
 */
export function publicRoleMail(listing: Listing): OnceMail | null {
  const publicRole = listing.publicRole as PublicRole | null;
  if (!publicRole) return null;
  const composed = composePublicRoleNotice(listing, publicRole);
  return { id: `${listing.id}.public-role`, listingId: listing.id, type: 'public-role', ...composed, eventData: { role: publicRole.role, unitName: publicRole.unitName } };
}

/** Emails about a listing to someone other than a department: once each. */
export function createListingNoticeActivities(deps: ActivityDeps) {
  const { prisma, log } = deps;
  return {
    /** The public-role notice on its own, as listings dispatched before round mails were batched send it. */
    async sendListingNotice({ listingId }: ListingNoticeInput): Promise<{ sent: boolean }> {
      const message = publicRoleMail(await prisma.listing.findUniqueOrThrow({ where: { id: listingId } }));
      if (!message) return { sent: false };
      const result = await sendOnce(deps, message);
      if (result.sent) activityLog(log).info({ listingId, type: message.type, messageId: result.messageId }, 'mail sent');
      return { sent: result.sent };
    },
  };
}
