/**
 * What a person reads when a command fails: one line saying what failed, a code, and what to do; the
 * stack trace only with --verbose. Exit codes mean something to scripts: 2 usage or invalid input, 3 not
 * found, 4 refused (forbidden, conflict), 5 unavailable (a locked data directory, a taken port, a full disk,
 * a schema from another version, a timeout).
 */
import { EXIT } from '../common/error-catalogue.ts';
import { AppError, errors, exitCodeOf } from '../common/errors.ts';
import { ConfigError } from '../config/config.ts';
import { DataDirInUseError, readServerRecord } from './server-record.ts';

export interface Failure {
  code: string;
  message: string;
  exitCode: number;
}

const text = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** ClickHouse's NOT_ENOUGH_SPACE (it reserves space before writing a part) and the OS's ENOSPC, however they arrive. */
function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'ENOSPC' || e?.code === '243' || /No space left on device|ENOSPC|Cannot reserve .*not enough space/i.test(String(e?.message ?? ''));
}

/** The embedded engine refused a second process on its directory (before or after our own check). */
const isDataDirLocked = (err: unknown) =>
  err instanceof DataDirInUseError ||
  (err instanceof Error && err.name === 'ChdbConnectionError' && /Failed to create connection|Cannot lock file/i.test(err.message));

/** A low-level failure of the machine, as the catalogue's error that explains it; undefined when it is none of those. */
function explainMachineFailure(err: unknown, dataDir: string): AppError | undefined {
  if (isDataDirLocked(err)) {
    const server = readServerRecord(dataDir);
    return errors.dataDirLocked(dataDir, server && { address: server.address, pid: server.pid }).causedBy(err);
  }
  if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') return errors.portInUse(text(err)).causedBy(err);
  if (isDiskFull(err)) return errors.diskFull(dataDir, text(err).trim()).causedBy(err);
  return undefined;
}

export function describeFailure(err: unknown, dataDir: string): Failure {
  // A machine failure may arrive wrapped (an internal error keeps what it stands for as its cause).
  const known =
    err instanceof AppError && err.kind !== 'internal' ? err : (explainMachineFailure(err, dataDir) ?? explainMachineFailure((err as Error)?.cause, dataDir));
  // The domain's errors: their code, their (English) message, and the exit code of their kind.
  if (known) return { code: known.code, message: known.message, exitCode: exitCodeOf(known) };
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'UsageError')) return { code: 'USAGE', message: text(err), exitCode: EXIT.usage };
  return { code: 'FAILED', message: `${text(err)} (run again with --verbose for details)`, exitCode: EXIT.failed };
}
