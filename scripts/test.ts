/**
 * `npm test`: makes sure Chromium is there for the browser test, starts a real Kafka broker (unless
 * KAFKA_BROKERS names one), runs every test file with
 * node's test runner, one file at a time (they share the embedded engine's test data directory), the
 * unit tests (test/unit) before the integration tests (test/integration),
 * then stops the broker. Extra arguments select test files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { ensureChromium } from './ensure-chromium.ts';
import { startKafkaBroker, type RunningBroker } from './kafka/broker.ts';

ensureChromium();
const env = { ...process.env };
let broker: RunningBroker | undefined;
if (!env.KAFKA_BROKERS) {
  broker = await startKafkaBroker();
  env.KAFKA_BROKERS = broker.brokers;
  process.stderr.write(`test Kafka broker on ${broker.brokers}\n`);
}
// Fast unit tests first (no engine, no broker), then the integration tests.
const inFolder = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);
const files = process.argv.length > 2 ? process.argv.slice(2) : [...inFolder('test/unit'), ...inFolder('test/integration')];
const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  env,
});
const stopBroker = () => broker?.stop();
process.once('SIGINT', () => child.kill('SIGINT'));
const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await stopBroker();
process.exit(code);
