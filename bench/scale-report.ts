/**
 * The scale benchmark's table: each operation's seconds, its ratio to the baseline row, and the issue's
 * target where it sets one (a multiple of the baseline, or of another row such as the same rule's preview).
 */

export interface Target {
  /** The row the limit is a multiple of; the baseline when absent. */
  of?: string;
  max: number;
}

export interface Measurement {
  key: string;
  label: string;
  /** A short name for the row, used when another row's target refers to it. */
  short?: string;
  /** Seconds of the measured run; null when it was stopped at the cap or failed. */
  seconds: number | null;
  /** What stopped it: 'timeout' (past the cap), else a short text shown instead of seconds. */
  stopped?: string;
  /** The answer, to compare between runs (matches, members, rows). */
  answer?: string;
  target?: Target;
}

export interface Judged extends Measurement {
  ratio: number | null;
  targetText: string;
  verdict: 'pass' | 'miss' | '';
}

const times = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)}×`;

/** Ratios to `baselineKey` and verdicts against each row's target (a stopped row misses its target). */
export function judge(rows: readonly Measurement[], baselineKey: string): Judged[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const base = byKey.get(baselineKey)?.seconds ?? null;
  return rows.map((r) => {
    const ratio = r.seconds !== null && base ? r.seconds / base : null;
    if (!r.target) return { ...r, ratio, targetText: '', verdict: '' };
    const of = byKey.get(r.target.of ?? baselineKey);
    if (!of) throw new Error(`target of ${r.key} names an unknown row ${r.target.of}`);
    const targetText = `≤ ${r.target.max}× ${r.target.of ? (of.short ?? of.label) : 'baseline'}`;
    if (r.seconds === null) return { ...r, ratio, targetText, verdict: 'miss' };
    if (of.seconds === null) return { ...r, ratio, targetText, verdict: '' };
    return { ...r, ratio, targetText, verdict: r.seconds <= r.target.max * of.seconds ? 'pass' : 'miss' };
  });
}

/** One markdown table; `capSeconds` is the limit a stopped row shows. */
export function formatTable(rows: readonly Judged[], capSeconds: number): string {
  const lines = ['| operation | answer | seconds | × baseline | target | result |', '| --- | --- | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    const secs = r.seconds !== null ? r.seconds.toFixed(2) : r.stopped === 'timeout' ? `> ${capSeconds} s` : (r.stopped ?? '');
    lines.push(`| ${r.label} | ${r.answer ?? ''} | ${secs} | ${r.ratio !== null ? times(r.ratio) : ''} | ${r.targetText} | ${r.verdict} |`);
  }
  return lines.join('\n');
}
