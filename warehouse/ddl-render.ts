/**
 * Turns a migration file (single-node DDL with {{variables}} and `-- @shard_by` hints) into the
 * statements to run: unchanged on one node; with a cluster name, ON CLUSTER DDL where each table
 * becomes a Replicated `<name>_local` plus a Distributed `<name>` in front of it.
 */

export interface RenderOptions {
  cluster?: string;
  vars: Record<string, string | number>;
}

export class MigrationRenderError extends Error {
  override name = 'MigrationRenderError';
}

interface SourceStatement {
  text: string;
  shardBy?: string;
}

/** Splits a migration file into statements, keeping each statement's `-- @shard_by` hint. */
export function splitStatements(source: string): SourceStatement[] {
  const statements: SourceStatement[] = [];
  let lines: string[] = [];
  let shardBy: string | undefined;
  const flush = () => {
    const text = lines.join('\n').trim();
    if (text) statements.push({ text, shardBy });
    lines = [];
    shardBy = undefined;
  };
  for (const line of source.split('\n')) {
    const hint = /^\s*--\s*@shard_by\s+(.+?)\s*$/.exec(line);
    if (hint) {
      shardBy = hint[1];
      continue;
    }
    if (/^\s*--/.test(line)) continue;
    const end = /;\s*$/.test(line);
    lines.push(end ? line.replace(/;\s*$/, '') : line);
    if (end) flush();
  }
  flush();
  return statements;
}

function substitute(text: string, vars: RenderOptions['vars']): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new MigrationRenderError(`migration uses {{${name}}} but no value is configured`);
    if (typeof value === 'number' ? !Number.isFinite(value) : !/^[A-Za-z0-9_]+$/.test(value)) {
      throw new MigrationRenderError(`value of {{${name}}} must be a number or identifier`);
    }
    return String(value);
  });
}

const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS ([A-Za-z_][A-Za-z0-9_]*)\s*\(/;
const ENGINE = /ENGINE\s*=\s*(Replacing|Aggregating|Summing|Collapsing|VersionedCollapsing)?MergeTree(?:\(([^)]*)\))?/;
const CREATE_MV = /^CREATE MATERIALIZED VIEW IF NOT EXISTS ([A-Za-z_][A-Za-z0-9_]*) TO ([A-Za-z_][A-Za-z0-9_]*) AS([\s\S]*)$/;
const CREATE_VIEW = /^CREATE VIEW IF NOT EXISTS ([A-Za-z_][A-Za-z0-9_]*) AS([\s\S]*)$/;
const ALTER_TABLE = /^ALTER TABLE ([A-Za-z_][A-Za-z0-9_]*)\s([\s\S]*)$/;

function renderTableOnCluster(stmt: SourceStatement, cluster: string): string[] {
  const m = CREATE_TABLE.exec(stmt.text)!;
  const name = m[1]!;
  const local = `${name}_local`;
  if (!stmt.shardBy) throw new MigrationRenderError(`table ${name} needs a -- @shard_by hint to be distributed`);
  const engine = ENGINE.exec(stmt.text);
  if (!engine) throw new MigrationRenderError(`table ${name}: only *MergeTree engines can be replicated`);
  const [whole, flavour = '', args = ''] = engine;
  const zkArgs = `'/clickhouse/tables/{shard}/{database}/${local}', '{replica}'`;
  const replicated = `ENGINE = Replicated${flavour}MergeTree(${args.trim() ? `${zkArgs}, ${args.trim()}` : zkArgs})`;
  const localDdl = stmt.text
    .replace(CREATE_TABLE, `CREATE TABLE IF NOT EXISTS ${local} ON CLUSTER ${cluster}\n(`)
    .replace(whole, replicated)
    // Deduplication of retried inserts on replicated tables is governed by replicated_deduplication_window.
    .replace(/\n?SETTINGS non_replicated_deduplication_window\s*=\s*\d+/, '');
  const distributed =
    `CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER ${cluster} AS ${local}\n` + `ENGINE = Distributed(${cluster}, currentDatabase(), ${local}, ${stmt.shardBy})`;
  return [localDdl, distributed];
}

function renderOnCluster(stmt: SourceStatement, cluster: string): string[] {
  if (CREATE_TABLE.test(stmt.text)) return renderTableOnCluster(stmt, cluster);
  const mv = CREATE_MV.exec(stmt.text);
  if (mv) {
    // The view fires on inserts into the local source table and writes through the Distributed target.
    const body = mv[3]!.replace(/\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)\b/g, 'FROM $1_local');
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv[1]} ON CLUSTER ${cluster} TO ${mv[2]} AS${body}`];
  }
  const view = CREATE_VIEW.exec(stmt.text);
  if (view) return [`CREATE VIEW IF NOT EXISTS ${view[1]} ON CLUSTER ${cluster} AS${view[2]}`];
  const alter = ALTER_TABLE.exec(stmt.text);
  if (alter) {
    const [, table, rest] = alter;
    const local = `ALTER TABLE ${table}_local ON CLUSTER ${cluster} ${rest}`;
    // Column changes must reach the Distributed table too; other ALTERs (TTL, settings) are storage-only.
    return /\b(ADD|DROP|MODIFY|RENAME) COLUMN\b/.test(rest!) ? [local, `ALTER TABLE ${table} ON CLUSTER ${cluster} ${rest}`] : [local];
  }
  throw new MigrationRenderError(`cannot render for a cluster: ${stmt.text.slice(0, 60)}...`);
}

/** The statements to run for one migration file. */
export function renderMigration(source: string, opts: RenderOptions): string[] {
  const statements = splitStatements(substitute(source, opts.vars));
  if (!opts.cluster) return statements.map((s) => s.text);
  return statements.flatMap((s) => renderOnCluster(s, opts.cluster!));
}
