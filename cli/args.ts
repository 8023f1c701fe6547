/** Flag parsing helpers shared by the CLI commands. */
/** Parsed command-line flags: `--name value` or a bare `--name`. */
export type Flags = Record<string, string | boolean | undefined>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function intFlag(flags: Flags, name: string, fallback?: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') throw new UsageError(`--${name} needs a value`);
  return raw;
}
