/**
 * A running `smsp serve` records its pid and address in the data directory, so a second command on the
 * same directory (which the embedded engine refuses to open twice) can say where the server is.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ServerRecord {
  pid: number;
  address: string;
  started_at: string;
}

const recordFile = (dataDir: string) => path.join(dataDir, 'server.json');

export function writeServerRecord(dataDir: string, address: string): void {
  const record: ServerRecord = { pid: process.pid, address, started_at: new Date().toISOString() };
  fs.writeFileSync(recordFile(dataDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Removes the record if it is this process's (a newer server's record is left alone). */
export function removeServerRecord(dataDir: string): void {
  if (readServerRecord(dataDir)?.pid === process.pid) fs.rmSync(recordFile(dataDir), { force: true });
}

/** The record of a server that is still running, or undefined. */
export function readServerRecord(dataDir: string): ServerRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(recordFile(dataDir), 'utf8')) as ServerRecord;
    process.kill(record.pid, 0); // throws when no such process
    // A server that crashed leaves its record, and its pid may since belong to another program.
    const cmdline = `/proc/${record.pid}/cmdline`;
    if (fs.existsSync('/proc/self') && !(fs.existsSync(cmdline) && fs.readFileSync(cmdline, 'utf8').includes('smsp'))) return undefined;
    return record;
  } catch {
    return undefined;
  }
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** Refuses before the embedded engine is opened (which would fail with a lower-level message) when a server holds `dataDir`. */
export function assertDataDirFree(dataDir: string): void {
  const server = readServerRecord(dataDir);
  if (server) throw new DataDirInUseError(`a server is running on ${dataDir} at ${server.address} (pid ${server.pid})`);
}
