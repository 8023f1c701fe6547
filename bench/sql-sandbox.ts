/**
 * Issue 19 at scale: the analysts' SQL sandbox over the scale data set (scale-data.ts; 1M contacts and 30M events by
 * default). Times a first snapshot (masked: the heavier variant, hashing every phone), a refresh with nothing new
 * (every month linked), a refresh after a few new events (one month rewritten), and typical queries in the sandbox,
 * each beside the same question asked of ClickHouse directly (the baseline, same run).
 */
import { runSandboxedQuery } from '../sandbox/sql-sandbox.ts';
import { SnapshotStore } from '../sandbox/snapshots.ts';
import { ingestEvents } from '../ingest/event-writer.ts';
import { sql } from '../warehouse/sql-files.ts';
import { benchWarehouse, seconds } from './harness.ts';
import { generateScaleData } from './scale-data.ts';

const WS = 'bench_sql';
const n = (x: number) => x.toLocaleString('en');

/** Typical questions, as an analyst writes them for DuckDB, and the same asked of ClickHouse (sql/queries/bench). */
const QUERIES = [
  {
    label: 'events by type',
    duckdb: 'SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type',
    clickhouse: 'bench/sql-events-by-type',
  },
  {
    label: 'clickers by city (join with contacts), top 10',
    duckdb:
      "SELECT c.city, count(DISTINCT e.user_id) AS users FROM events e JOIN contacts c ON c.user_id = e.user_id WHERE e.type = 'click' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    clickhouse: 'bench/sql-clickers-by-city',
  },
];

export async function benchSqlSandbox(opts: { contacts: number; events: number }): Promise<void> {
  const b = await benchWarehouse({ QUERY_TIMEOUT_SECONDS: '3600', SQL_TIME_LIMIT_SECONDS: '600', SQL_MEMORY_LIMIT_MB: '2048', SQL_THREADS: '2' });
  try {
    const nowMs = Date.now();
    console.log(`\nSQL sandbox: generating ${n(opts.contacts)} contacts and ${n(opts.events)} events ...`);
    const data = await generateScaleData(b.wh, WS, { ...opts, nowMs, onChunk: (stored) => console.log(`  ${n(stored)} events stored`) });
    const store = new SnapshotStore(b.wh, b.config.sandbox);
    const rows: { label: string; seconds: number; note: string }[] = [];
    const first = await seconds(() => store.refresh(WS, 'masked'));
    const manifest = store.current(WS, 'masked')!;
    rows.push({ label: 'first snapshot (masked)', seconds: first, note: manifest.tables.map((t) => `${t.name} ${n(t.rows)}`).join(', ') });
    rows.push({ label: 'refresh, nothing new (months linked)', seconds: await seconds(() => store.refresh(WS, 'masked')), note: '' });
    const fresh = Array.from({ length: 100 }, (_, i) => ({ event_id: `sql-bench-${i}`, type: 'send' as const, ts: nowMs - i * 1000, user_id: `u${i}` }));
    const { accepted } = await ingestEvents(b.wh, WS, fresh);
    const after = await seconds(() => store.refresh(WS, 'masked'));
    const rewritten = store.current(WS, 'masked')!.tables[0]!.rows - manifest.tables[0]!.rows;
    rows.push({
      label: 'refresh after 100 new events (one month rewritten)',
      seconds: after,
      note: `${accepted} accepted, ${rewritten} more events in the snapshot`,
    });

    const lease = await store.lease(WS, 'masked');
    try {
      for (const q of QUERIES) {
        const baseline = await seconds(() => b.wh.query(sql(q.clickhouse), { workspace: WS }, { timeoutSeconds: 600 }));
        let answer = '';
        // The second run counts (the first warms the file cache).
        await runSandboxedQuery(lease.dir, lease.manifest, q.duckdb, b.config.sandbox);
        const took = await seconds(async () => {
          answer = `${(await runSandboxedQuery(lease.dir, lease.manifest, q.duckdb, b.config.sandbox)).rows.length} rows`;
        });
        rows.push({ label: `query: ${q.label}`, seconds: took, note: `${answer}; ClickHouse ${baseline.toFixed(2)} s (×${(took / baseline).toFixed(2)})` });
      }
    } finally {
      lease.release();
    }
    console.log(`\nSQL sandbox over ${n(data.events)} events and ${n(data.contacts)} contacts (DuckDB: 2 threads, 2 GiB)\n`);
    console.log('| operation | seconds | notes |');
    console.log('| --- | ---: | --- |');
    for (const r of rows) console.log(`| ${r.label} | ${r.seconds.toFixed(2)} | ${r.note} |`);
  } finally {
    await b.close();
  }
}
