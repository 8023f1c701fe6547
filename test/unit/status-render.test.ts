/** `smsp status` as a person reads it, from a status object written out by hand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlatformStatus } from '../../analytics/platform-status.ts';
import { formatBytes, renderStatus } from '../../cli/status.ts';

const status: PlatformStatus = {
  workspace: 'default',
  checked_at: '2026-01-01T00:00:00.000Z',
  server: { running: true, pid: 4242, address: 'http://127.0.0.1:3000', started_at: '2025-12-31T21:56:56.000Z', uptime_seconds: 7384 },
  engine: { kind: 'embedded', location: '/srv/data/chdb', database: 'sms' },
  data: {
    total_bytes: 3 * 1024 * 1024 + 512,
    tables: [
      { table: 'events', bytes: 3 * 1024 * 1024, rows: 35012 },
      { table: 'tags', bytes: 512, rows: 9 },
    ],
  },
  migrations: { latest: '0017', applied: 17, pending: 0, unknown: [] },
  events_last_24h: { send: 1200, delivery: 1180, click: 40, conversion: 3, unsubscribe: 0, reply: 1, complaint: 0, exposure: 0 },
  ingest: { kafka: true, topic: 'sms.events', group: 'smsp-ingest', lag: null, error: 'Kafka did not answer within 5 s' },
  open_alerts: 1,
};

describe('renderStatus', () => {
  it('prints one labelled line per part, with the tables indented', () => {
    assert.equal(
      renderStatus(status),
      [
        'server       running at http://127.0.0.1:3000 (pid 4242, up 2h 03m 04s)',
        'engine       embedded, /srv/data/chdb (database sms)',
        'data         3.0 MiB on disk',
        '               events                          3.0 MiB        35,012 rows',
        '               tags                              512 B             9 rows',
        'migrations   17 applied, latest 0017, none pending',
        'events 24 h  send 1,200, delivery 1,180, click 40, conversion 3, unsubscribe 0, reply 1, complaint 0, exposure 0 (workspace default)',
        'ingest       Kafka topic sms.events, group smsp-ingest: lag unknown (Kafka did not answer within 5 s)',
        'open alerts  1',
        '',
      ].join('\n'),
    );
  });

  it('says what is missing: no server, no Kafka, a schema behind or ahead', () => {
    const text = renderStatus({
      ...status,
      server: { running: false },
      migrations: { latest: '9999', applied: 18, pending: 2, unknown: ['9999'] },
      events_last_24h: null,
      ingest: { kafka: false },
      open_alerts: null,
    });
    assert.match(text, /^server {7}not running\n/);
    assert.match(
      text,
      /\nmigrations {3}18 applied, latest 9999, 2 pending \(smsp migrate or serve applies them\), unknown to this version: 9999 \(a newer smsp migrated it\)\n/,
    );
    assert.match(text, /\nevents 24 h {2}not read \(the schema is not current\)\n/);
    assert.match(text, /\ningest {7}no Kafka/);
    assert.deepEqual([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)], ['0 B', '1023 B', '1.5 KiB', '5.0 GiB']);
  });
});
