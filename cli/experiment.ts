import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { errors } from '../common/errors.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import { METRICS, type Metric } from '../experiments/experiment-schema.ts';
import { getExperiment } from '../experiments/experiments.ts';
import { experimentResults, type ExperimentResults } from '../experiments/results.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';

const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '-' : Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);

/** A readable table of an experiment's results. */
export function formatResults(name: string, r: ExperimentResults): string {
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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `${name} (${r.experiment_id}), metric ${r.metric}, days in ${r.timezone}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `SRM p = ${num(r.srm_p_value)}${r.srm_detected ? '  << sample ratio mismatch' : ''}`,
    '',
    r.verdict,
  ].join('\n');
}

/** `smsp experiment results ID [--metric M] [--workspace W]`. */
export async function experimentCommand(flags: Flags, positionals: string[]): Promise<void> {
  const [action, id] = positionals;
  if (action !== 'results' || !id) throw new UsageError('usage: smsp experiment results ID [--metric conversion|click|delivery|revenue] [--workspace W]');
  const metric = stringFlag(flags, 'metric') as Metric | undefined;
  if (metric && !METRICS.includes(metric)) throw new UsageError(`--metric must be one of ${METRICS.join(', ')}`);
  const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
  const { warehouse } = await openPlatform();
  try {
    const experiment = await getExperiment(warehouse, workspace, id);
    if (!experiment) throw errors.notFound(`experiment ${id} in workspace ${workspace}`);
    const { timezone } = await workspaceSettings(warehouse, workspace);
    const results = await experimentResults(warehouse, workspace, experiment, metric ?? experiment.spec.metrics[0]!, timezone);
    process.stdout.write(`${formatResults(experiment.name, results)}\n`);
  } finally {
    await warehouse.close();
  }
}
