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
    'p (Holm)',
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
    v.ci_low === null ? '-' : `[${num(v.ci_low)}, ${num(v.ci_high)}]`,
    num(v.p_value),
    num(v.p_value_adjusted),
    num(v.prob_to_beat_control),
    num(v.expected_loss, 5),
    num(v.sequential_p_value),
  ]);
  return [
    `${name} (${r.experiment_id}), metric ${r.metric}, days in ${r.timezone}`,
    ...table(header, rows),
    `SRM p = ${num(r.srm_p_value)}${r.srm_detected ? '  << sample ratio mismatch' : ''}`,
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
