/** The states of a listing and why its sanctions end. */

export const LISTING_STATUSES = ['active', 'lifting', 'lifted', 'revoked'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/** Why sanctions end: performance (a deletion on ground 1), another deletion ground, a revocation (art. 9), or the end of a fixed term. */
export const LIFT_REASONS = ['performance', 'deletion', 'revocation', 'expiry'] as const;
export type LiftReason = (typeof LIFT_REASONS)[number];

/** A listing whose sanctions are over keeps its record, but nothing more can be done with it. */
export const isClosedStatus = (status: string): boolean => status === 'lifted' || status === 'revoked';

/**
 * The seven grounds of a deletion (SPC listing rules, art. 10 ¶1): (1) performed or fully enforced; (2) a
 * settlement reached and performed; (3) the creditor's written request, approved; (4) after 终结本次执行, two or
 * more network searches found no assets; (5) enforcement suspended by retrial or bankruptcy; (6) a ruling not
 * to enforce; (7) a ruling terminating enforcement.
 */
export const DELETION_GROUNDS = ['performed', 'settlement-performed', 'creditor-request', 'no-assets-found', 'suspended', 'not-enforced', 'terminated'] as const;
export type DeletionGround = (typeof DELETION_GROUNDS)[number];

/** After a deletion on the creditor's request, the creditor may not have the debtor listed again within six months (art. 10 ¶4). */
export const RELISTING_BAR_MONTHS_AFTER_CREDITOR_REQUEST = 6;
