// The type's name alone, importing nothing: stored in transactions.type, and read by code that must
// not load the definition (src/operations/names.ts).
export const CERTIFICATE_ISSUE_TYPE = 'certificate_issue';
