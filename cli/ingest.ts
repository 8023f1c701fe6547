import http from 'node:http';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { startIngest } from '../ingest/kafka/ingest-service.ts';
import { intFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';

/**
 * `smsp ingest [--workers N] [--metrics-port P]`: Kafka → warehouse workers in one consumer group,
 * with /metrics and /healthz on the metrics port. SIGTERM: finish the batch in hand, commit, leave.
 */
export async function ingestCommand(flags: Flags): Promise<void> {
  const { config, warehouse } = await openPlatform();
  if (!config.kafka.brokers) throw new UsageError('smsp ingest needs KAFKA_BROKERS');
  const logger = pino({ level: config.logLevel });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const ingest = await startIngest({ config: config.kafka, warehouse, registry, logger, workers: intFlag(flags, 'workers') });
  const server = http.createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    } else if (req.url === '/healthz') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', workers: ingest.workers.length }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  const port = intFlag(flags, 'metrics-port', 9464)!;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping ingest');
    server.close();
    await ingest.stop();
    await warehouse.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = server.address();
  logger.info({ workers: ingest.workers.length, metrics: address }, 'ingest running');
  process.stderr.write(
    `ingest running: ${ingest.workers.length} worker(s), topic ${config.kafka.eventsTopic}, metrics on port ${typeof address === 'object' && address ? address.port : port}\n`,
  );
}
