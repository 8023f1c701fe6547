/**
 * kafkajs logging through the application's pino logger. While a broker is unreachable kafkajs logs
 * every connection attempt of every client (thousands of lines in seconds), so a repeated message is
 * written the first time and then at most once per window, with the count of the copies left out.
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** The part of a pino logger kafkajs messages go to. */
export interface KafkaLogTarget {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export const DEFAULT_REPEAT_WINDOW_MS = 10_000;
/** Distinct messages remembered; beyond it the memory starts over (a flood of unique texts stays bounded). */
const MAX_KEYS = 1000;

interface Seen {
  lastWrittenAt: number;
  suppressed: number;
}

/** Remembers which messages were written when; one per process, so every Kafka client's repeats collapse together. */
export class RepeatFilter {
  private readonly seen = new Map<string, Seen>();
  constructor(
    readonly windowMs = DEFAULT_REPEAT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined: leave the message out; otherwise write it, noting how many copies were left out before. */
  admit(key: string): { repeated: number } | undefined {
    const t = this.now();
    const previous = this.seen.get(key);
    if (previous && t - previous.lastWrittenAt < this.windowMs) {
      previous.suppressed++;
      return undefined;
    }
    if (!previous && this.seen.size >= MAX_KEYS) this.seen.clear();
    this.seen.set(key, { lastWrittenAt: t, suppressed: 0 });
    return { repeated: previous?.suppressed ?? 0 };
  }
}

const processRepeats = new RepeatFilter();

/** kafkajs levels to pino methods: kafkajs already says ERROR only for what failed, WARN for what may. */
function methodFor(level: logLevel): 'error' | 'warn' | 'info' | 'debug' {
  if (level === logLevel.ERROR) return 'error';
  if (level === logLevel.WARN) return 'warn';
  if (level === logLevel.INFO) return 'info';
  return 'debug';
}

/** A message's identity for collapsing: numbers (ports, retry counts, delays) do not make it new. */
function repeatKey(entry: LogEntry): string {
  return `${entry.level}|${entry.namespace}|${entry.log.message.replace(/\d+/g, '#')}`;
}

/** A kafkajs logCreator writing to `target`, repeats collapsed by `repeats` (shared by the whole process by default). */
export function kafkaLogCreator(target: KafkaLogTarget, repeats: RepeatFilter = processRepeats): logCreator {
  return () => (entry) => {
    const admitted = repeats.admit(repeatKey(entry));
    if (!admitted) return;
    const { timestamp: _t, logger: _l, message, ...fields } = entry.log;
    const method = methodFor(entry.level);
    const write = method === 'debug' ? target.debug?.bind(target) : target[method].bind(target);
    const repeated = admitted.repeated ? { repeated: admitted.repeated, repeatWindowMs: repeats.windowMs } : {};
    write?.({ kafka: entry.namespace, ...fields, ...repeated }, `kafka: ${message}`);
  };
}
