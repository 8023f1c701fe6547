/**
 * What a person reads when a command fails: one line saying what failed, a code, and what to do; the
 * stack trace only with --verbose. Exit codes mean something to scripts: 2 usage or invalid input, 3 not
 * found, 4 refused (forbidden, conflict), 5 unavailable (a locked data directory, a taken port, a timeout).
 */
import { EXIT } from '../common/error-catalogue.ts';
import { AppError, exitCodeOf } from '../common/errors.ts';
import { ConfigError } from '../config/config.ts';
import { MigrationChecksumError } from '../warehouse/migrations.ts';
import { DataDirInUseError, readServerRecord } from './server-record.ts';

export interface Failure {
  code: string;
  message: string;
  exitCode: number;
}

const text = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function describeFailure(err: unknown, dataDir: string): Failure {
  const message = text(err);
  // The domain's errors: their code, their (English) message, and the exit code of their kind.
  if (err instanceof AppError && err.kind !== 'internal') return { code: err.code, message, exitCode: exitCodeOf(err) };
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'UsageError')) return { code: 'USAGE', message, exitCode: EXIT.usage };
  if (
    err instanceof DataDirInUseError ||
    (err instanceof Error && err.name === 'ChdbConnectionError' && /Failed to create connection|Cannot lock file/i.test(message))
  ) {
    const server = readServerRecord(dataDir);
    const where = server ? `a server is running on it at ${server.address} (pid ${server.pid})` : 'another smsp process has it open';
    return {
      code: 'DATA_DIR_LOCKED',
      message: `the data directory ${dataDir} is in use: ${where}. The embedded engine allows one process per directory: use the server's HTTP API, stop it first, or set DATA_DIR to another directory`,
      exitCode: EXIT.unavailable,
    };
  }
  if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    return { code: 'PORT_IN_USE', message: `${message}: another program listens there; choose another with --port or PORT`, exitCode: EXIT.unavailable };
  }
  if (err instanceof MigrationChecksumError)
    return { code: 'MIGRATION_MISMATCH', message: `${message} (is this data directory from another version?)`, exitCode: EXIT.unavailable };
  return { code: 'FAILED', message: `${message} (run again with --verbose for details)`, exitCode: EXIT.failed };
}
