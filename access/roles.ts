/** Who may do what. Every route names the roles it admits; these are all there are. */
export const ROLES = ['admin', 'analyst', 'marketer', 'sender'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that need whole phone numbers (sending, administration); everyone else sees them masked. */
const SEES_PHONE_NUMBERS: ReadonlySet<Role> = new Set(['admin', 'sender', 'marketer']);

export function canSeePhoneNumbers(role: Role): boolean {
  return SEES_PHONE_NUMBERS.has(role);
}

/** The authenticated caller of a request. */
export interface Principal {
  workspaceId: string;
  keyId: string;
  role: Role;
  /** The bootstrap key: may create workspaces and keys in any workspace. */
  isRoot: boolean;
}
