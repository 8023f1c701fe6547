/**
 * What a command prints: with --json one JSON document on stdout (the route's answer, whichever way it was
 * computed), else the text a person reads. Progress and notes go to stderr, so stdout stays the result.
 */
import type { Flags } from './args.ts';

/** A value as a route would answer it: JSON as the server writes it (NaN and Infinity become null, undefined fields vanish). */
export const asAnswer = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Prints `answer` as JSON with --json, else as `format` writes it. */
export function printResult<T>(flags: Flags, answer: T, format: (answer: T) => string): void {
  process.stdout.write(`${flags.json ? JSON.stringify(answer) : format(answer)}\n`);
}

/** Columns padded to their widest cell, with a rule under the header. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
