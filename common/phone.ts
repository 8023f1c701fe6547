/** Phone numbers: normalised to E.164 on the way in, masked on the way out for roles that need no numbers. */

const CN_MOBILE = /^(?:\+?86|0086)?(1[3-9]\d{9})$/;
const E164 = /^\+([1-9]\d{7,14})$/;
const INTERNATIONAL_00 = /^00([1-9]\d{7,14})$/;

/**
 * E.164 form of a phone number, or null when it is not a valid number.
 * Mainland China mobiles (1[3-9] + 9 digits) are accepted with or without +86 / 86 / 0086.
 */
export function normalizePhone(raw: string): string | null {
  const compact = raw.trim().replace(/[\s\-().]/g, '');
  const cn = CN_MOBILE.exec(compact);
  if (cn) return `+86${cn[1]}`;
  if (E164.test(compact)) return compact;
  const intl = INTERNATIONAL_00.exec(compact);
  if (intl) return `+${intl[1]}`;
  return null;
}

/**
 * 138****5678 for a mainland number; other numbers keep their first 3 and last 4 characters only when
 * at least 4 stay hidden, else just the last 4.
 */
export function maskPhone(phone: string): string {
  if (!phone) return phone;
  const cn = /^\+86(1\d{10})$/.exec(phone);
  const digits = cn ? cn[1]! : phone;
  if (digits.length >= 11) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  return `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}
