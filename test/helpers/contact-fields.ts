/** A contact field added the way a developer would add one (one entry), for the CONTACT_FIELDS tests. */
import Type from 'typebox';
import { cellText, contactFieldEntries, type ContactFieldSpec } from '../../ingest/contact-schema.ts';

/** The definition with one more field, as a developer would add it: one entry. */
export const coupon: ContactFieldSpec<string | null> = {
  schema: Type.String({ maxLength: 32 }),
  column: 'String',
  merge: 'replace',
  empty: "''",
  aliases: ['优惠券', 'coupon code'],
  fromCell: (v) => ({ ok: true, value: cellText(v).toUpperCase() }),
  fromInput: (v: string) => ({ ok: true, value: v.toUpperCase() }),
  audience: true,
  rule: 'string',
};
export const withCoupon = [...contactFieldEntries(), ['coupon', coupon] as const];

/** The tables that carry contact columns. */
export const CONTACT_TABLES = ['contacts', 'contact_import_rows', 'contact_import_pending', 'audience_members'];
