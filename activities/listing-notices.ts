import { composePublicRoleNotice, type PublicRole } from '../mail/compose-notices.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';
import { sendOnce } from './send-once.js';

export interface ListingNoticeInput {
  listingId: string;
  type: 'public-role';
}

/** Emails about a listing to someone other than a department: once each. */
export function createListingNoticeActivities(deps: ActivityDeps) {
  const { prisma, log } = deps;
  return {
    /** Art. 8: a debtor who is a state employee, NPC deputy or CPPCC member has its unit or body notified. */
    async sendListingNotice({ listingId, type }: ListingNoticeInput): Promise<{ sent: boolean }> {
      const listing = await prisma.listing.findUniqueOrThrow({ where: { id: listingId } });
      const publicRole = listing.publicRole as PublicRole | null;
      if (!publicRole) return { sent: false };
      const composed = composePublicRoleNotice(listing, publicRole);
      const result = await sendOnce(deps, { id: `${listingId}.${type}`, listingId, type, ...composed, eventData: { role: publicRole.role, unitName: publicRole.unitName } });
      if (result.sent) activityLog(log).info({ listingId, type, messageId: result.messageId }, 'mail sent');
      return { sent: result.sent };
    },
  };
}
