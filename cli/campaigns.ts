/** `smsp campaigns roi --from --to`: each campaign's (or template's, channel's, segment's) cost and ROI as a table. */
import { campaignRoi, ROI_GROUPS, type CampaignRoi } from '../templates/campaign-roi.ts';
import { intFlag, stringFlag, UsageError, type Flags } from './args.ts';
import { printResult, table } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

const USAGE = `usage: smsp campaigns roi --from ISO --to ISO [--group-by ${ROI_GROUPS.join('|')}] [--attribution-days N] [--workspace W] [--json]`;

const money = (x: number | null) => (x === null ? '-' : x.toFixed(2));
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function formatRoi(r: CampaignRoi): string {
  const header = [r.group_by, 'messages', 'parts', `cost (${r.currency})`, 'conversions', 'revenue', 'ROI', 'cost/conv.'];
  const row = (key: string, g: CampaignRoi['totals']) => [
    key,
    String(g.messages),
    String(g.parts),
    money(g.cost),
    String(g.conversions),
    money(g.revenue),
    pct(g.roi),
    money(g.cost_per_conversion),
  ];
  return [
    `${r.from} to ${r.to}, last touch across campaigns within ${r.attribution_days} days of a delivery`,
    ...table(header, [...r.groups.map((g) => row(g.key || '(none)', g)), row('total', r.totals)]),
    `unattributed: ${r.unattributed.conversions} conversions, revenue ${money(r.unattributed.revenue)}`,
    ...(r.totals.unpriced_messages ? [`${r.totals.unpriced_messages} messages sent before the first price took effect (cost 0)`] : []),
  ].join('\n');
}

/** An instant flag, as the route reads it. */
function instantFlag(flags: Flags, name: string): string {
  const raw = stringFlag(flags, name);
  if (raw === undefined || Number.isNaN(Date.parse(raw))) throw new UsageError(`--${name} needs an ISO 8601 instant\n${USAGE}`);
  return new Date(Date.parse(raw)).toISOString();
}

export async function campaignsCommand(flags: Flags, positionals: string[]): Promise<void> {
  if (positionals[0] !== 'roi') throw new UsageError(USAGE);
  const query = {
    from: instantFlag(flags, 'from'),
    to: instantFlag(flags, 'to'),
    group_by: stringFlag(flags, 'group-by'),
    attribution_days: intFlag(flags, 'attribution-days'),
  };
  const workspace = stringFlag(flags, 'workspace');
  const answer = await viaServerOrEngine(
    (server) => server.json<CampaignRoi>('GET', '/campaigns/roi', { query, workspace }),
    (warehouse, ws) =>
      campaignRoi(warehouse, ws, {
        fromMs: Date.parse(query.from),
        toMs: Date.parse(query.to),
        groupBy: query.group_by,
        attributionDays: query.attribution_days,
      }),
    workspace,
  );
  printResult(flags, answer, formatRoi);
}
