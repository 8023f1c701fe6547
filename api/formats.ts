/** JSON Schema formats of this API: dates and times that exist and that the warehouse can store. */
import { isStorableDate, storableInstantMs } from '../common/dates.ts';

export const storableInstantFormat = { type: 'string', validate: (text: string) => storableInstantMs(text) !== undefined } as const;
export const storableDateFormat = { type: 'string', validate: isStorableDate } as const;
