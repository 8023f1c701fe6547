import type { ExperimentResultsAnswer } from '../api/routes/experiments.ts';
import { errors } from '../common/errors.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import { METRICS, type Metric } from '../experiments/experiment-schema.ts';
import { getExperiment } from '../experiments/experiments.ts';
import { experimentResults } from '../experiments/results.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { printResult, table } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '-' : Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);
/** A p-value in two significant figures: 1.6e-25 stays 1.6e-25 (fixed decimals would print it as 0). */
const pValue = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x >= 1e-4 ? x.toFixed(4) : x.toExponential(1));
const interval = (low: number | null, high: number | null, format: (x: number) => string) =>
  low === null || high === null ? '-' : `[${format(low)}, ${format(high)}]`;

/** CUPED and guardrail lines under the table, when the answer has them. */
function extraLines(r: ExperimentResultsAnswer): string[] {
  const lines: string[] = [];
  for (const v of r.variants) {
    if (v.not_enough_information) lines.push(`${v.key}: not enough information (${v.not_enough_information})`);
    if (v.cuped)
      lines.push(
        `${v.key} CUPED (${r.cuped_days} days before exposure): uplift ${pct(v.cuped.uplift_rel)}, 95% CI (abs) ${interval(v.cuped.ci_low, v.cuped.ci_high, (x) => num(x))}, p ${pValue(v.cuped.p_value)}, variance -${pct(v.cuped.variance_reduction)}`,
      );
  }
  for (const g of r.guardrails)
    for (const v of g.variants.slice(1))
      lines.push(
        `guardrail ${g.event_type}, ${v.key}: rate ${pct(v.rate)} vs ${pct(g.variants[0]!.rate)}, p ${pValue(v.p_value)}${v.harm_detected ? '  << harm' : ''}`,
      );
  return lines.length ? ['', ...lines] : [];
}

/** A readable table of an experiment's results. */
function formatResults(name: string, r: ExperimentResultsAnswer): string {
  const header = [
    'variant',
    'n',
    'successes',
    r.metric === 'revenue' ? 'mean' : 'rate',
    'uplift',
    '95% CI (abs)',
    'p',
    r.correction === 'bh' ? 'p (BH)' : 'p (Holm)',
    'P(beat ctrl)',
    'exp. loss',
    'seq. p',
  ];
  const rows = r.variants.map((v) => [
    v.key,
    String(v.n),
    String(v.successes),
    r.metric === 'revenue' ? num(v.mean, 2) : pct(v.rate),
    pct(v.uplift_rel),
    interval(v.ci_low, v.ci_high, (x) => num(x)),
    pValue(v.p_value),
    pValue(v.p_value_adjusted),
    num(v.prob_to_beat_control),
    num(v.expected_loss, 5),
    pValue(v.sequential_p_value),
  ]);
  return [
    `${name} (${r.experiment_id}), metric ${r.metric}, days in ${r.timezone}`,
    ...table(header, rows),
    `SRM p = ${pValue(r.srm_p_value)}${r.srm_detected ? '  << sample ratio mismatch' : ''}`,
    ...extraLines(r),
    '',
    r.verdict,
  ].join('\n');
}

/** `smsp experiment results ID [--metric M] [--workspace W] [--json]`: through the server beside the data, else the engine. */
export async function experimentCommand(flags: Flags, positionals: string[]): Promise<void> {
  const [action, id] = positionals;
  if (action !== 'results' || !id)
    throw new UsageError('usage: smsp experiment results ID [--metric conversion|click|delivery|revenue] [--workspace W] [--json]');
  const metric = stringFlag(flags, 'metric') as Metric | undefined;
  if (metric && !METRICS.includes(metric)) throw new UsageError(`--metric must be one of ${METRICS.join(', ')}`);
  const workspace = stringFlag(flags, 'workspace');
  const { name, results } = await viaServerOrEngine(
    async (server) => {
      const route = `/experiments/${encodeURIComponent(id)}`;
      const experiment = await server.json<{ name: string }>('GET', route, { workspace });
      return { name: experiment.name, results: await server.json<ExperimentResultsAnswer>('GET', `${route}/results`, { query: { metric }, workspace }) };
    },
    async (warehouse, ws) => {
      const experiment = await getExperiment(warehouse, ws, id);
      if (!experiment) throw errors.notFound(`experiment ${id}`);
      const { timezone } = await workspaceSettings(warehouse, ws);
      return { name: experiment.name, results: await experimentResults(warehouse, ws, experiment, metric ?? experiment.spec.metrics[0]!, timezone) };
    },
    workspace,
  );
  printResult(flags, results, (r) => formatResults(name, r));
}
