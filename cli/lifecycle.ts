/** `smsp lifecycle`: the lifecycle report (stage sizes, week-over-week flows, repurchase rate) and a campaign's re-activation rate. */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { LIFECYCLE_STAGES } from '../segmentation/lifecycle-settings.ts';
import { lifecycleReport, reactivationRate, type LifecycleReport, type Reactivation } from '../segmentation/lifecycle-report.ts';
import { intFlag, stringFlag, UsageError, type Flags } from './args.ts';
import { printResult, table } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

const USAGE = 'usage: smsp lifecycle [--weeks N] [--workspace W] | smsp lifecycle reactivation CAMPAIGN_ID [--within-days N] [--workspace W]';
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const day = (iso: string, tz: string) => new Date(iso).toLocaleDateString('en-CA', { timeZone: tz });

/** Stage sizes per week end (and now), the moves out of each stage, and the repurchase rate per week. */
function formatReport(r: LifecycleReport): string {
  const header = ['week ending', ...LIFECYCLE_STAGES, 'joined', 'changed stage', 'buyers', 'repurchase'];
  const rows = r.weeks.map((w) => {
    const joined = w.flows.filter((f) => f.from === null).reduce((n, f) => n + f.contacts, 0);
    const moved = w.flows.filter((f) => f.from !== null && f.from !== f.to).reduce((n, f) => n + f.contacts, 0);
    // The week's last day: its end is the next Monday's midnight.
    const last = day(new Date(Date.parse(w.end) - 1).toISOString(), r.timezone);
    return [last, ...LIFECYCLE_STAGES.map((s) => String(w.stages[s])), String(joined), String(moved), String(w.repurchase.buyers), pct(w.repurchase.rate)];
  });
  rows.push(['now', ...LIFECYCLE_STAGES.map((s) => String(r.now.stages[s])), '', '', '', '']);
  const s = r.settings;
  return [
    `lifecycle stages in ${r.timezone}: new ≤ ${s.new_days} days since sign-up; dormant ≥ ${s.dormant_days} and churned ≥ ${s.churned_days} days without a click, conversion or reply; loyal ≥ ${s.loyal_conversions} and repeat ≥ ${s.repeat_conversions} conversions in ${s.purchase_window_days} days`,
    ...table(header, rows),
    '',
    `repurchase rate ${day(r.repurchase.from, r.timezone)} to ${day(new Date(Date.parse(r.repurchase.to) - 1).toISOString(), r.timezone)}: ${r.repurchase.repeat_buyers} of ${r.repurchase.buyers} buyers converted twice or more (${pct(r.repurchase.rate)})`,
  ].join('\n');
}

function formatReactivation(r: Reactivation): string {
  const rows = r.by_stage.map((s) => [s.stage, String(s.delivered), String(s.reactivated), pct(s.rate)]);
  return [
    `campaign ${r.campaign_id}: ${r.reactivated} of ${r.targeted} dormant or churned contacts interacted within ${r.within_days} days of delivery (${pct(r.rate)})`,
    ...table(['stage at delivery', 'delivered', 'interacted', 'rate'], rows),
  ].join('\n');
}

export async function lifecycleCommand(flags: Flags, positionals: string[]): Promise<void> {
  const workspace = stringFlag(flags, 'workspace');
  const [action, campaignId] = positionals;
  if (action === undefined) {
    const weeks = intFlag(flags, 'weeks', 8)!;
    const report = await viaServerOrEngine(
      (server) => server.json<LifecycleReport>('GET', '/lifecycle', { query: { weeks: String(weeks) }, workspace }),
      async (warehouse, ws) => lifecycleReport(warehouse, ws, { nowMs: now(), weeks, timezone: (await workspaceSettings(warehouse, ws)).timezone }),
      workspace,
    );
    printResult(flags, report, formatReport);
    return;
  }
  if (action !== 'reactivation' || !campaignId) throw new UsageError(USAGE);
  const withinDays = intFlag(flags, 'within-days', 7)!;
  const answer = await viaServerOrEngine(
    (server) => server.json<Reactivation>('GET', '/lifecycle/reactivation', { query: { campaign_id: campaignId, within_days: String(withinDays) }, workspace }),
    async (warehouse, ws) => reactivationRate(warehouse, ws, { campaignId, withinDays, timezone: (await workspaceSettings(warehouse, ws)).timezone }),
    workspace,
  );
  printResult(flags, answer, formatReactivation);
}
