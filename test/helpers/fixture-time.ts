/**
 * Fixture dates that do not rot. Events older than the retention (24 months at the least) are dropped by
 * the engine's TTL and events more than a day ahead are refused, so a fixture written as a fixed date
 * fails some day. Fixtures are written in the calendar year `FIXTURE_YEAR` instead
 * (`${FIXTURE_YEAR}-11-20T10:00:00Z`): the latest year whose every day up to 1 December is past, so every
 * date of that year up to then is at most 23 months old and never in the future; month, day and time of
 * day are kept as written (weekdays are not: compute a weekday the test needs).
 */
const now = new Date();

export const FIXTURE_YEAR = now.getTime() >= Date.UTC(now.getUTCFullYear(), 11, 2) ? now.getUTCFullYear() : now.getUTCFullYear() - 1;

const DAY_MS = 86_400_000;

/**
 * Noon UTC of the day before today, as epoch milliseconds: a "now" for fixtures that must stay within a
 * short TTL (RFM scores keep 90 days) and whose whole-day offsets must not depend on the hour a test runs.
 */
export const yesterdayNoonUtc = () => Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS / 2;
