/** The states of a listing and why its sanctions end. */

export const LISTING_STATUSES = ['active', 'lifting', 'lifted', 'revoked'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const LIFT_REASONS = ['performance', 'revocation', 'expiry'] as const;
export type LiftReason = (typeof LIFT_REASONS)[number];

/** A listing whose sanctions are over keeps its record, but nothing more can be done with it. */
export const isClosedStatus = (status: string): boolean => status === 'lifted' || status === 'revoked';
