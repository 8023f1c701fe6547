/**
 * A real Apache Kafka broker (3.9, KRaft combined mode, one node) for development and tests.
 * Jars come from Maven Central through scripts/kafka/pom.xml and are cached in .cache/kafka/lib.
 *
 *   node --import tsx scripts/kafka/broker.ts [--port 9092]     (runs until Ctrl-C)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIB_DIR = path.join(ROOT, '.cache', 'kafka', 'lib');

export interface RunningBroker {
  brokers: string;
  logDir: string;
  stop(): Promise<void>;
}

/** Downloads the broker's jars with Maven unless they are cached already. */
export function ensureKafkaJars(): string {
  const ready = fs.existsSync(LIB_DIR) && fs.readdirSync(LIB_DIR).some((f) => /^kafka_2\.13-.*\.jar$/.test(f));
  if (!ready) {
    process.stderr.write('fetching the Kafka broker with Maven (once; cached in .cache/kafka/lib)...\n');
    const mvn = spawnSync('mvn', ['-q', '-B', '-f', path.join(ROOT, 'scripts/kafka/pom.xml'), 'dependency:copy-dependencies', `-Dkafka.lib.dir=${LIB_DIR}`], {
      stdio: 'inherit',
    });
    if (mvn.status !== 0) throw new Error(`mvn failed (exit ${mvn.status}); Java 17 and Maven are needed for the test broker`);
  }
  return LIB_DIR;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  // 127.0.0.1, never localhost: Node may resolve localhost to ::1 (PITFALLS).
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=4',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=24',
  ].join('\n');
}

/** Formats a fresh log directory and starts the broker; resolves when it is running. */
export async function startKafkaBroker(opts: { port?: number } = {}): Promise<RunningBroker> {
  const lib = ensureKafkaJars();
  const port = opts.port ?? (await freePort());
  const controllerPort = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-kafka-'));
  const logDir = path.join(dir, 'data');
  const props = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j.properties');
  fs.writeFileSync(props, serverProperties(port, controllerPort, logDir));
  fs.writeFileSync(
    log4j,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=INFO',
      'log4j.logger.org.apache.kafka=WARN',
    ].join('\n'),
  );
  const classpath = `${lib}/*`;
  const java = ['-Xms256m', '-Xmx768m', `-Dlog4j.configuration=file:${log4j}`, '-cp', classpath];
  const format = spawnSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', 'smsp-test-cluster-0001', '-c', props, '--ignore-formatted'], {
    encoding: 'utf8',
  });
  if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);

  const child: ChildProcess = spawn('java', [...java, 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = fs.createWriteStream(path.join(dir, 'broker.log'));
  child.stdout!.pipe(logFile);
  child.stderr!.pipe(logFile);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`kafka did not start within 90 s; log: ${path.join(dir, 'broker.log')}`)), 90_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4000);
      if (/Kafka Server started|Transitioning from RECOVERY to RUNNING/.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kafka exited with ${code} during start; log: ${path.join(dir, 'broker.log')}`));
    });
  });
  return {
    brokers: `127.0.0.1:${port}`,
    logDir: dir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const portArg = process.argv.indexOf('--port');
  const broker = await startKafkaBroker({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 9092 });
  process.stderr.write(`Kafka running: KAFKA_BROKERS=${broker.brokers} (Ctrl-C stops it)\n`);
  const stop = () => void broker.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
