/**
 * `npm test`: makes sure Chromium is there for the browser test, starts a real Kafka broker (unless
 * KAFKA_BROKERS names one), runs the test files, then stops the broker. Extra arguments select test files.
 *
 * The files run in TEST_LANES lanes at once (default 2): each lane is one `node --test` process at a time
 * with its own embedded data directory (data/test, data/test/lane-1, ...: under SMSP_TEST_DATA_DIR if set; libchdb binds one directory per process; every file also has its
 * own database), so two files never share an engine. The unit tests (no engine) are one job of their own,
 * run with two files at a time. The slowest files of the last run start first (their durations are kept in
 * .cache/test-durations.json), so that no lane is left with a long file at the end. Each file's output is
 * printed whole when it ends, then a table of the slowest files and the failures.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureChromium } from './ensure-chromium.ts';
import { startKafkaBroker, type RunningBroker } from './kafka/broker.ts';

const DURATIONS_FILE = '.cache/test-durations.json';
const lanes = Math.max(1, Number(process.env.TEST_LANES ?? 2));

ensureChromium();
const env = { ...process.env };
let broker: RunningBroker | undefined;
if (!env.KAFKA_BROKERS) {
  broker = await startKafkaBroker();
  env.KAFKA_BROKERS = broker.brokers;
  process.stderr.write(`test Kafka broker on ${broker.brokers}\n`);
}

const inFolder = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);
const selected = process.argv.length > 2 ? process.argv.slice(2) : [...inFolder('test/unit'), ...inFolder('test/integration')];

interface Job {
  name: string;
  files: string[];
  concurrency: number;
}
const unitFiles = selected.filter((f) => f.startsWith('test/unit/'));
const jobs: Job[] = [
  ...(unitFiles.length ? [{ name: 'test/unit', files: unitFiles, concurrency: 2 }] : []),
  ...selected.filter((f) => !f.startsWith('test/unit/')).map((f) => ({ name: f, files: [f], concurrency: 1 })),
];
// Without a last run (a clean clone): the files that were slowest when this list was written go first.
const KNOWN_SLOW = [
  'test/integration/cli-client.test.ts',
  'test/integration/import-memory.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/experiments-api.test.ts',
  'test/integration/contact-import-crash.test.ts',
  'test/integration/kafka-crash.test.ts',
  'test/integration/erase-cli.test.ts',
  'test/integration/route-fuzz.test.ts',
  'test/integration/clusters.test.ts',
  'test/integration/contact-rollups.test.ts',
];
const lastDurations = readDurations();
const expected = (job: Job) => lastDurations[job.name] ?? (KNOWN_SLOW.includes(job.name) ? 1000 - KNOWN_SLOW.indexOf(job.name) : 0);
jobs.sort((a, b) => expected(b) - expected(a));

interface Outcome {
  name: string;
  seconds: number;
  code: number;
}
const children = new Set<ReturnType<typeof spawn>>();

/** One `node --test` process for a job, in the lane's data directory; its output is printed when it ends. */
function run(job: Job, lane: number): Promise<Outcome> {
  const started = Date.now();
  const baseDir = process.env.SMSP_TEST_DATA_DIR ?? 'data/test';
  const dataDir = lane === 0 ? baseDir : path.join(baseDir, `lane-${lane}`);
  const args = [
    '--expose-gc',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${job.concurrency}`,
    // One test may take minutes on a loaded 2-core machine (the CLI process tests run a server and many commands);
    // the limit only catches a hang.
    '--test-timeout=600000',
    '--test-reporter=spec',
    ...job.files,
  ];
  const child = spawn(process.execPath, args, { env: { ...env, SMSP_TEST_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const output: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => output.push(c));
  child.stderr.on('data', (c: Buffer) => output.push(c));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      const outcome = { name: job.name, seconds: (Date.now() - started) / 1000, code: code ?? (signal ? 1 : 0) };
      process.stdout.write(
        `\n── ${job.name}: ${outcome.code === 0 ? 'passed' : `FAILED (exit ${code ?? signal})`} in ${outcome.seconds.toFixed(1)} s (lane ${lane}) ──\n`,
      );
      process.stdout.write(Buffer.concat(output));
      resolve(outcome);
    }),
  );
}

const startedAt = Date.now();
const queue = [...jobs];
const outcomes: Outcome[] = [];
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  queue.length = 0;
  for (const child of children) child.kill('SIGINT');
});
await Promise.all(
  Array.from({ length: Math.min(lanes, jobs.length) }, async (_, lane) => {
    for (let job = queue.shift(); job; job = queue.shift()) outcomes.push(await run(job, lane));
  }),
);
await broker?.stop();

const failed = outcomes.filter((o) => o.code !== 0);
const slowest = [...outcomes].sort((a, b) => b.seconds - a.seconds).slice(0, 15);
process.stdout.write(`\nslowest files (${lanes} lanes, ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all):\n`);
for (const o of slowest) process.stdout.write(`  ${o.seconds.toFixed(1).padStart(7)} s  ${o.name}\n`);
process.stdout.write(failed.length ? `\n${failed.length} failed:\n${failed.map((o) => `  ${o.name}\n`).join('')}` : `\nall ${outcomes.length} jobs passed\n`);
if (!interrupted) writeDurations(outcomes);
process.exit(failed.length || interrupted ? 1 : 0);

function readDurations(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function writeDurations(done: Outcome[]): void {
  const merged = { ...readDurations(), ...Object.fromEntries(done.map((o) => [o.name, Math.round(o.seconds * 10) / 10])) };
  fs.mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
  fs.writeFileSync(DURATIONS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
}
