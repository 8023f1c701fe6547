// Calendar days in the workspace's time zone, for date pickers: a picked day runs from its midnight in that zone to
// the next (23 or 25 hours on a daylight-saving day), as the API cuts days. Built on the browser's Intl.

const DAY = 86_400_000;

/** The zone's offset from UTC at instant `ms`, in milliseconds (what the zone's wall clock shows minus UTC). */
function offsetAt(ms, timeZone) {
  const parts = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const part of format.formatToParts(ms)) parts[part.type] = Number(part.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant (epoch ms) the day `YYYY-MM-DD` starts in `timeZone`. */
export function zoneMidnight(day, timeZone) {
  const [year, month, date] = day.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, date);
  // Twice: the second time with the offset in force at midnight itself (it differs when a DST change is near).
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

/** The day `YYYY-MM-DD` that instant `ms` falls on in `timeZone`. */
export const zoneDay = (ms, timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

/** The day after `day` (calendar arithmetic, no zone involved). */
export const nextDay = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);

/** `days` days before `day`. */
export const daysBefore = (day, days) => new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);
