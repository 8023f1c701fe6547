/** Sample size planning for a two-sided test on a rate, with several variants against one control. */
import { errors } from '../common/errors.ts';
import { sampleSizePerArm } from './statistics.ts';

export interface PlanInput {
  baseline_rate: number;
  /** Smallest relative effect worth detecting, e.g. 0.1 for +10 %. */
  mde_rel: number;
  alpha?: number;
  power?: number;
  /** Arms including the control (default 2). */
  variants?: number;
  /** Recipients a day the experiment can reach. */
  daily_volume?: number;
}

export interface Plan {
  recipients_per_arm: number;
  recipients_total: number;
  arms: number;
  /** alpha / (arms − 1): Bonferroni across comparisons with the control (Holm, used in results, is never stricter). */
  alpha_per_comparison: number;
  power: number;
  treated_rate: number;
  days?: number;
}

/** The plan for `input`; a treated rate of 1 or more is refused, naming `mde_rel`. */
export function planExperiment(input: PlanInput): Plan {
  if (input.baseline_rate * (1 + input.mde_rel) >= 1) throw errors.invalid('mde_rel', 'the treated rate baseline_rate × (1 + mde_rel) must stay below 1');
  const arms = input.variants ?? 2;
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const treated = input.baseline_rate * (1 + input.mde_rel);
  const alphaPerComparison = alpha / (arms - 1);
  const perArm = Math.ceil(sampleSizePerArm(input.baseline_rate, treated, alphaPerComparison, power));
  const plan: Plan = {
    recipients_per_arm: perArm,
    recipients_total: perArm * arms,
    arms,
    alpha_per_comparison: alphaPerComparison,
    power,
    treated_rate: treated,
  };
  if (input.daily_volume) plan.days = Math.ceil((perArm * arms) / input.daily_volume);
  return plan;
}
