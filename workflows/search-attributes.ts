/** Search attributes the sanction workflow sets; registered on the server at start. No personal data. */
export const SEARCH_ATTRIBUTES = { SanctionStatus: 'Keyword', CourtCode: 'Keyword' } as const;
