/**
 * Allocation: in-process assignments/s (baseline: a plain string concatenation and Map lookup loop
 * over the same ids, i.e. the cheapest per-id work), and the assignment endpoint's latency under load
 * next to /healthz under the same load (autocannon, loopback).
 */
import autocannon from 'autocannon';
import { createApiKey } from '../access/api-keys.ts';
import { buildApp } from '../api/app.ts';
import { compileAllocation } from '../experiments/allocation.ts';
import { createExperiment, setExperimentStatus } from '../experiments/experiments.ts';
import { benchWarehouse, printTable } from './harness.ts';

function inProcess(n: number): void {
  const ids = Array.from({ length: n }, (_, i) => `user${i}`);
  const assign = compileAllocation({
    salt: 'bench',
    holdout: 0.1,
    variants: [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
    ],
  });
  const seen = new Map<string, number>();
  const time = (fn: () => void) => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const baseline = time(() => {
    for (const id of ids) {
      const k = `bench:${id}`.length & 1 ? 'a' : 'b';
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  });
  const allocation = time(() => {
    for (const id of ids) {
      const k = assign(id);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  });
  printTable('In-process allocation', 'ids', [
    { label: 'concatenate + count (baseline)', rows: n, seconds: baseline },
    { label: 'compileAllocation(...)(user_id)', rows: n, seconds: allocation },
  ]);
}

async function load(url: string, headers: Record<string, string>, seconds: number) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: 32,
    duration: seconds,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: (req.path ?? '').replace('USER', `u${i++}`) }) }],
  });
  return result;
}

async function endpoint(seconds: number): Promise<void> {
  const b = await benchWarehouse();
  const app = await buildApp({ config: b.config, warehouse: b.wh, logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createApiKey(b.wh, { workspace: 'bench', role: 'sender', name: 'bench', createdBy: 'bench' });
  await createExperiment(
    b.wh,
    'bench',
    {
      id: 'exp_bench',
      name: 'bench',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    },
    'bench',
  );
  await setExperimentStatus(b.wh, 'bench', 'exp_bench', 'running', 'bench');
  const health = await load(`${address}/healthz?USER`, {}, seconds);
  const assignment = await load(`${address}/v1/experiments/exp_bench/assignment?user_id=USER`, { authorization: `Bearer ${key}` }, seconds);
  console.log(`\nAssignment endpoint under load (32 connections, ${seconds} s each, loopback)`);
  console.log('| route | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, r] of [
    ['GET /healthz (baseline)', health],
    ['GET /v1/experiments/:id/assignment', assignment],
  ] as const) {
    console.log(
      `| ${label} | ${Math.round(r.requests.average).toLocaleString('en')} | ${r.latency.p50} | ${r.latency.p90} | ${r.latency.p99} | ${r.latency.max} | ${r.non2xx} |`,
    );
  }
  console.log(`(assignment requests/s vs baseline: ${(assignment.requests.average / health.requests.average).toFixed(2)})`);
  await app.close();
  await b.close();
}

export async function benchAllocation(seconds: number): Promise<void> {
  inProcess(3_000_000);
  await endpoint(seconds);
}
