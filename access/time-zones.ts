/**
 * IANA time zones. A zone must be known to both clocks the platform cuts time with: the warehouse's
 * (system.time_zones, which is case-sensitive and lacks some of Intl's aliases) and JavaScript's Intl
 * (local labels, calendar maths). Names are matched without regard to case and answered in the
 * engine's spelling, so `utc` or `asia/shanghai` become `UTC` and `Asia/Shanghai`, and a zone only Intl
 * knows is refused instead of failing every query that uses it.
 */
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

const ZONE_NAME = /^[A-Za-z_+\-/0-9]{1,64}$/;

/** True when JavaScript's Intl knows `zone`. */
function intlKnows(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const catalogs = new WeakMap<Warehouse, Promise<ReadonlyMap<string, string>>>();

/** Lower-cased name → the engine's spelling, for zones both clocks know; read once per warehouse. */
function catalog(wh: Warehouse): Promise<ReadonlyMap<string, string>> {
  let pending = catalogs.get(wh);
  if (!pending) {
    pending = wh
      .query<{ time_zone: string }>(sql('system/time-zones'))
      .then((rows) => new Map(rows.filter((r) => intlKnows(r.time_zone)).map((r) => [r.time_zone.toLowerCase(), r.time_zone])));
    pending.catch(() => catalogs.delete(wh));
    catalogs.set(wh, pending);
  }
  return pending;
}

/** The engine's spelling of `zone`, or undefined when either clock does not know it. */
export async function canonicalTimeZone(wh: Warehouse, zone: unknown): Promise<string | undefined> {
  if (typeof zone !== 'string' || !ZONE_NAME.test(zone)) return undefined;
  return (await catalog(wh)).get(zone.toLowerCase());
}

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
