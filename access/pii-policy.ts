/**
 * The field-level policy for personal data, in one place: which fields a role sees unmasked, and which
 * comparisons it may make on them in rules. A role that sees a field masked may not filter on it with
 * comparisons that reveal it piece by piece (ranges, prefixes, substrings): a few preview counts would
 * otherwise recover the masked digits. Identifiers that are phone numbers (number-list contacts use the
 * phone as their user id) are masked like phones, everywhere a masked role reads them: lists, previews,
 * exports, events and the access log.
 */
import { maskPhone, normalizePhone } from '../common/phone.ts';
import { canSeePhoneNumbers, type Role } from './roles.ts';

/** Personal fields and the rule operators a role without phone access may still use on them. */
const MASKED_FIELD_OPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['phone', ['exists']],
  // Equality asks "is this one id in the audience", which reading that contact tells anyway.
  ['user_id', ['exists', 'eq', 'neq', 'in', 'not_in']],
]);

export interface FieldAccess {
  /** True when `role` may compare `field` with `op` in a rule. */
  mayFilter(field: string, op: string): boolean;
  /** True when values of personal fields are shown whole. */
  seesPhones: boolean;
}

export function fieldAccess(role: Role): FieldAccess {
  const seesPhones = canSeePhoneNumbers(role);
  return {
    seesPhones,
    mayFilter: (field, op) => seesPhones || !MASKED_FIELD_OPS.has(field) || MASKED_FIELD_OPS.get(field)!.includes(op),
  };
}

/** The operators a masked role may use on `field`, for error messages (undefined when unrestricted). */
export const maskedFieldOps = (field: string): readonly string[] | undefined => MASKED_FIELD_OPS.get(field);

/** A user id that is a phone number, masked like one; any other id unchanged. */
export function maskIdentifier(id: string): string {
  const phone = normalizePhone(id);
  return phone ? maskPhone(phone) : id;
}

/** Phone-like digit runs in free text (a URL in the access log), masked. */
export function maskPhonesInText(text: string): string {
  return text.replace(/(?:%2B|\+)?\d{11,15}/gi, (run) => {
    const digits = run.replace(/^(%2B|\+)/i, '');
    return `${run.slice(0, run.length - digits.length)}${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  });
}

/** A contact-like record as `role` may see it: phone and phone-like user id masked unless the role needs them. */
export function presentPersonal<T extends { phone?: string; user_id?: string }>(row: T, role: Role): T {
  if (canSeePhoneNumbers(role)) return row;
  return {
    ...row,
    ...(row.phone !== undefined ? { phone: maskPhone(row.phone) } : {}),
    ...(row.user_id !== undefined ? { user_id: maskIdentifier(row.user_id) } : {}),
  };
}
