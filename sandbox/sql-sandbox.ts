/**
 * Runs one analyst's statement in a fresh in-memory DuckDB that can reach nothing but one snapshot generation:
 * views named like the API's concepts over its Parquet files, then the only allowed directory is that generation,
 * external access off, no extension installed or loaded, no temporary files, memory and thread limits, and the
 * configuration locked so no SET/RESET can undo any of it. Only a single SELECT-type statement runs (no COPY, ATTACH,
 * SET, CREATE...); it is interrupted at the time limit, and at most `maxRows` rows come back.
 */
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { errors } from '../common/errors.ts';
import type { SandboxConfig } from '../config/config.ts';
import type { SnapshotManifest } from './snapshot-layout.ts';
import { duckdbErrorPosition } from './sql-error-position.ts';

export interface SqlColumn {
  name: string;
  type: string;
}

export interface SqlResult {
  columns: SqlColumn[];
  /** Values as DuckDB's JS converter gives them (bigint, Date, ...); result-formats.ts renders them. */
  rows: unknown[][];
  truncated: boolean;
}

export type SandboxLimits = Pick<SandboxConfig, 'timeLimitSeconds' | 'maxRows' | 'memoryLimitMb' | 'threads'>;

/** A SQL string literal (DuckDB doubles quotes inside); only for the platform's own paths. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function lockedDown(dir: string, manifest: SnapshotManifest, limits: SandboxLimits): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: `${limits.memoryLimitMb}MB`,
    threads: String(limits.threads),
    // No spilling: with a temp directory DuckDB would also allow reading and writing there.
    temp_directory: '',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    await connection.run(`SET allowed_directories = [${literal(`${dir}${path.sep}`)}]`);
    for (const table of manifest.tables) {
      const files = table.files.map((f) => literal(path.join(dir, f))).join(', ');
      await connection.run(`CREATE VIEW ${table.name} AS SELECT * FROM read_parquet([${files}])`);
    }
    await connection.run('SET enable_external_access = false');
    await connection.run('SET lock_configuration = true');
    return { instance, connection };
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    throw err;
  }
}

/** DuckDB's message as a 400 naming the query, with the position it points at when it gives one. */
function sqlError(err: unknown, query: string) {
  const message = err instanceof Error ? err.message : String(err);
  return errors.sqlError(message, duckdbErrorPosition(query, message)).causedBy(err);
}

/** The one statement of `query`, prepared; anything else is refused before it runs. */
async function singleSelect(connection: DuckDBConnection, query: string) {
  const extracted = await connection.extractStatements(query).catch((err: unknown) => {
    throw sqlError(err, query);
  });
  if (extracted.count !== 1) throw errors.sqlError(`send exactly one statement (this has ${extracted.count})`);
  const prepared = await extracted.prepare(0).catch((err: unknown) => {
    throw sqlError(err, query);
  });
  if (prepared.statementType !== StatementType.SELECT) {
    throw errors.sqlError(`only queries run here (SELECT, WITH, FROM, VALUES, DESCRIBE...); this is a ${StatementType[prepared.statementType]} statement`);
  }
  return prepared;
}

/** Runs `query` over the snapshot generation in `dir` (described by `manifest`) within `limits`. */
export async function runSandboxedQuery(dir: string, manifest: SnapshotManifest, query: string, limits: SandboxLimits): Promise<SqlResult> {
  const { instance, connection } = await lockedDown(dir, manifest, limits);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, limits.timeLimitSeconds * 1000);
  try {
    const prepared = await singleSelect(connection, query);
    let reader: DuckDBResultReader;
    try {
      reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
    } catch (err) {
      if (timedOut) throw errors.sqlTimeLimit(limits.timeLimitSeconds).causedBy(err);
      throw sqlError(err, query);
    }
    const rows = reader.getRowsJS();
    const types = reader.columnTypes();
    return {
      columns: reader.deduplicatedColumnNames().map((name, i) => ({ name, type: String(types[i]) })),
      rows: rows.slice(0, limits.maxRows),
      truncated: rows.length > limits.maxRows,
    };
  } finally {
    clearTimeout(timer);
    connection.closeSync();
    instance.closeSync();
  }
}
