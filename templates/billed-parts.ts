/**
 * How carriers bill one SMS text: GSM-7 when every character is in the GSM 03.38 alphabet (160 septets
 * alone, 153 per part when split: the rest carries the part header), else UCS-2 (70 UTF-16 code units alone,
 * 67 per part). A character is never cut across two parts (an extension character's escape and an emoji's
 * surrogate pair stay together), so a split can need one part more than units / per-part limit.
 */

/** GSM 03.38 basic set (one septet each; ESC excluded: it only introduces an extension character). */
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
/** The extension set: ESC + the character, two septets each. */
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

const LIMITS = {
  'GSM-7': { single: 160, split: 153 },
  'UCS-2': { single: 70, split: 67 },
} as const;

type Encoding = keyof typeof LIMITS;

export interface BilledParts {
  encoding: Encoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  units: number;
  parts: number;
  /** Units one part may carry: the single-message limit when one part, else the per-part limit. */
  per_part_limit: number;
}

/** Each character's width in the encoding the whole text needs. */
function widths(text: string): { encoding: Encoding; widths: number[] } {
  const chars = [...text];
  if (chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c))) {
    return { encoding: 'GSM-7', widths: chars.map((c) => (GSM_EXTENSION.has(c) ? 2 : 1)) };
  }
  return { encoding: 'UCS-2', widths: chars.map((c) => c.length) };
}

/** Parts of `text` as sent (signature and substituted variables included). */
export function billedParts(text: string): BilledParts {
  const { encoding, widths: each } = widths(text);
  const limit = LIMITS[encoding];
  const units = each.reduce((sum, w) => sum + w, 0);
  if (units <= limit.single) return { encoding, units, parts: units === 0 ? 0 : 1, per_part_limit: limit.single };
  let parts = 1;
  let used = 0;
  for (const w of each) {
    if (used + w > limit.split) {
      parts += 1;
      used = 0;
    }
    used += w;
  }
  return { encoding, units, parts, per_part_limit: limit.split };
}
