/** The `smsp` command line: serve, migrate, seed-demo, keys. */
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { Flags } from './args.ts';
import { describeFailure } from './failures.ts';
import { migrateCommand } from './migrate.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { rollupsCommand } from './rollups.ts';
import { seedDemoCommand } from './seed-demo.ts';
import { serveCommand } from './serve.ts';
import { keysCommand } from './keys.ts';
import { ingestCommand } from './ingest.ts';
import { importCommand } from './import.ts';
import { experimentCommand } from './experiment.ts';
import { lifecycleCommand } from './lifecycle.ts';
import { campaignsCommand } from './campaigns.ts';
import { segmentCommand } from './segments.ts';
import { eraseCommand } from './erase.ts';
import { statusCommand } from './status.ts';
import { tagsCommand } from './tags.ts';

const USAGE = `usage: smsp <command> [options]

commands:
  serve [--demo] [--ingest [--workers N]] [--port N] [--host H]
                                         migrate, then start the HTTP API (--demo: load demo data into an empty workspace;
                                         --ingest: also run Kafka ingest workers in this process)
  ingest [--workers N] [--metrics-port P]
                                         Kafka -> warehouse ingest workers (needs KAFKA_BROKERS)
  migrate                                apply pending schema migrations
  status [--json] [--workspace W]        server, engine, data size, migrations, the last day's events, ingest lag, open alerts
  rollups rebuild                        refill every rollup from the stored events (a server pauses its event writes meanwhile)
  seed-demo [--workspace W] [--contacts N] [--weeks N] [--campaigns-per-week N] [--seed N]
                                         load seeded demo data through the ingest paths
  import contacts FILE [--workspace W] [--tag T] [--sheet S] [--format txt|csv|xlsx]
                                         import a number list or contact file (TXT, CSV, XLSX), with a report
  import events FILE.ndjson [--workspace W]
                                         import events through the same validation and dedup as the API
  segment preview (--rule JSON | --rule-file FILE) [--workspace W]
                                         count and sample the contacts a rule matches
  segment webhooks SEGMENT_ID [--add URL [--description D]] [--workspace W]
                                         list a segment's webhooks, or add one (its signing secret is printed once)
  segment schedule ID (--cron EXPR [--eligibility JSON] [--keep-versions N] [--disabled] | --off)
                                         refresh the segment's audience on a cron schedule (workspace zone), or stop it;
                                         without --cron or --off, show the schedule
  segment runs ID [--limit N]            the segment's scheduled runs, newest first
  audience materialize SEGMENT_ID [--eligibility JSON] [--workspace W]
                                         snapshot a segment into a new audience version
  audience export ID [--format ndjson|csv] [--fields a,b] [--version N] [--out FILE]
                                         write a whole audience snapshot, with progress
  audience diff ID --from N --to N [--format ndjson|csv] [--fields a,b] [--out FILE]
                                         write the members added and removed between two versions
  tags computed refresh ID [--workspace W]
                                         refresh a computed tag now: its rule's contacts gain the tag, former ones lose it
  experiment results ID [--metric M] [--workspace W]
                                         an experiment's results as a table, with the verdict
  lifecycle [--weeks N] [--workspace W]  lifecycle stage sizes at each of the last N week ends and now, contacts that joined or
                                         changed stage, and the repurchase rate
  lifecycle reactivation CAMPAIGN_ID [--within-days N] [--workspace W]
                                         of the contacts dormant or churned at the campaign's delivery, the share that
                                         interacted within N days (default 7)
  campaigns roi --from ISO --to ISO [--group-by campaign|template|channel|segment] [--attribution-days N] [--workspace W]
                                         messages, billed parts, cost, last-touch conversions, revenue and ROI per campaign
  keys create --name N --role R [--workspace W]
                                         create an API key (printed once)
  erase USER_ID [--workspace W]          erase a person on request (PIPL/GDPR): profile, tags, memberships go; events
                                         keep counts under a hash; the number stays suppressed (hashed)
  backup DIR [--base DIR]                back up everything into a new directory (incrementally on a base backup),
                                         with a manifest of every table's rows and checksum
  restore DIR [--force]                  restore a backup into an empty database and check it against its manifest
                                         (--force: replace a database that holds tables)

beside a running server (recorded in DATA_DIR), import, segment, audience, tags, experiment, lifecycle, campaigns, keys,
seed-demo, status, erase, backup and rollups go through its HTTP API with the admin key (migrate reports the server's
schema); SMSP_URL and SMSP_API_KEY drive another server; --workspace W then needs a root key. ingest and restore need
the engine to themselves.
--json prints the result as one JSON document (NDJSON for an export); --verbose a failure's stack trace.
Exit codes: 0 done, 1 failed, 2 usage or configuration, 3 not found, 4 refused, 5 unavailable (the data directory is
in use by a running server, a server that does not answer, the port is taken, the schema is from another version).
configuration comes from the environment: see README.md, "Configuration".`;

const COMMANDS: Record<string, (flags: Flags, positionals: string[]) => Promise<number | void>> = {
  serve: serveCommand,
  migrate: migrateCommand,
  status: statusCommand,
  rollups: rollupsCommand,
  'seed-demo': seedDemoCommand,
  keys: keysCommand,
  backup: backupCommand,
  restore: restoreCommand,
  ingest: ingestCommand,
  import: importCommand,
  experiment: experimentCommand,
  lifecycle: lifecycleCommand,
  campaigns: campaignsCommand,
  erase: eraseCommand,
  segment: (flags, positionals) => segmentCommand(flags, positionals, 'segment'),
  audience: (flags, positionals) => segmentCommand(flags, positionals, 'audience'),
  tags: tagsCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    const help = command === '--help' || command === '-h' || command === 'help';
    if (help) process.stdout.write(`${USAGE}\n`);
    else process.stderr.write(`${command ? `unknown command: ${command}\n` : ''}${USAGE}\n`);
    return help ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      workspace: { type: 'string' },
      contacts: { type: 'string' },
      weeks: { type: 'string' },
      'campaigns-per-week': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      ingest: { type: 'boolean' },
      workers: { type: 'string' },
      'metrics-port': { type: 'string' },
      'within-days': { type: 'string' },
      tag: { type: 'string' },
      sheet: { type: 'string' },
      format: { type: 'string' },
      metric: { type: 'string' },
      rule: { type: 'string' },
      'rule-file': { type: 'string' },
      eligibility: { type: 'string' },
      cron: { type: 'string' },
      'keep-versions': { type: 'string' },
      disabled: { type: 'boolean' },
      off: { type: 'boolean' },
      limit: { type: 'string' },
      fields: { type: 'string' },
      version: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'group-by': { type: 'string' },
      'attribution-days': { type: 'string' },
      out: { type: 'string' },
      add: { type: 'string' },
      description: { type: 'string' },
      base: { type: 'string' },
      force: { type: 'boolean' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  return (await run(values, positionals)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    const failure = describeFailure(err, path.resolve(process.env.DATA_DIR || './data'));
    process.stderr.write(`smsp: ${failure.message} [${failure.code}]\n`);
    if (process.argv.includes('--verbose')) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    // A failed command ends, even if something it started (a scheduler, the engine) would keep it alive.
    process.exit(failure.exitCode);
  },
);
