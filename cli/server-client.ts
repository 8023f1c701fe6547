/**
 * The CLI as a client of a running server. A server recorded in the data directory (cli/server-record.ts)
 * holds the embedded engine, so commands with an HTTP equivalent go through its API with the root key;
 * SMSP_URL and SMSP_API_KEY point the CLI at another (remote) server. Every command uses this one client:
 * error answers become the error they stand for (same code, same exit code), and a server that does not
 * answer is one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DEFAULT_WORKSPACE, WORKSPACE_HEADER } from '../access/api-keys.ts';
import { errors } from '../common/errors.ts';
import { loadConfig } from '../config/config.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { UsageError } from './args.ts';
import { openPlatform } from './open.ts';
import { asAnswer } from './output.ts';
import { readServerRecord } from './server-record.ts';

/** The server a command talks to, and the key it calls with. */
export interface ServerTarget {
  url: string;
  key: string;
}

type Query = Record<string, string | number | undefined>;

export interface CallOptions {
  query?: Query;
  /** A JSON value, or a stream sent as it is (an uploaded file). */
  body?: unknown;
  /** The workspace to act in (a root key may name any; see access/api-keys.ts `actingIn`). */
  workspace?: string;
  /** Error answers the caller reads itself (e.g. a list body none of whose items was accepted). */
  keep?: (status: number, answer: Record<string, unknown>) => boolean;
}

/**
 * Where commands go: SMSP_URL (with SMSP_API_KEY), else the server recorded in `dataDir` (with ADMIN_API_KEY
 * or the key the server saved in `$DATA_DIR/admin-api-key`), else undefined: the command opens the engine itself.
 */
export function serverTarget(dataDir: string, env: NodeJS.ProcessEnv = process.env): ServerTarget | undefined {
  if (env.SMSP_URL || env.SMSP_API_KEY) {
    if (!env.SMSP_URL || !env.SMSP_API_KEY) throw new UsageError('SMSP_URL and SMSP_API_KEY go together: set both to drive a server, or neither');
    return { url: env.SMSP_URL.replace(/\/+$/, ''), key: env.SMSP_API_KEY };
  }
  const record = readServerRecord(dataDir);
  if (!record) return undefined;
  const keyFile = path.join(dataDir, 'admin-api-key');
  const key = env.ADMIN_API_KEY || (fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : '');
  if (!key) throw errors.serverKeyMissing(dataDir);
  return { url: record.address, key };
}

export class ServerClient {
  constructor(readonly target: ServerTarget) {}

  /** The answer to a request, whatever its body; an error answer is thrown as the error it stands for. */
  async request(method: string, route: string, opts: CallOptions = {}): Promise<Response> {
    const url = new URL(`${this.target.url}/v1${route}`);
    for (const [name, value] of Object.entries(opts.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.target.key}`, 'accept-language': 'en' };
    if (opts.workspace) headers[WORKSPACE_HEADER] = opts.workspace;
    const streamed = typeof (opts.body as Readable | undefined)?.pipe === 'function';
    if (opts.body !== undefined) headers['content-type'] = streamed ? 'application/octet-stream' : 'application/json';
    const body = opts.body === undefined ? undefined : streamed ? (opts.body as Readable) : JSON.stringify(opts.body);
    let res: Response;
    try {
      // A stream body needs half-duplex (Node's fetch sends it as it is read).
      res = await fetch(url, { method, headers, body: body as RequestInit['body'], ...(streamed && { duplex: 'half' }) } as RequestInit);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw errors.serverUnreachable(this.target.url, cause?.code ?? cause?.message ?? (err as Error).message).causedBy(err);
    }
    if (res.status < 400) return res;
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (opts.keep?.(res.status, answer)) return Response.json(answer, { status: res.status });
    throw errors.fromAnswer(res.status, answer);
  }

  /** The JSON answer of a route, typed by the route's response schema. */
  async json<T>(method: string, route: string, opts: CallOptions = {}): Promise<T> {
    return (await (await this.request(method, route, opts)).json()) as T;
  }
}

/** The client of the server beside the configured data directory (or SMSP_URL), or undefined to open the engine. */
export function serverClient(): ServerClient | undefined {
  const target = serverTarget(loadConfig().dataDir);
  return target && new ServerClient(target);
}

/**
 * Runs `remote` against the server beside the data directory (or SMSP_URL), else `local` on the engine; either
 * way the result is the route's answer, so the same formatting prints it.
 */
export async function viaServerOrEngine<T>(
  remote: (server: ServerClient) => Promise<T>,
  local: (warehouse: Warehouse, workspace: string) => Promise<T>,
  workspace: string | undefined,
): Promise<T> {
  const server = serverClient();
  if (server) return remote(server);
  const { warehouse } = await openPlatform();
  try {
    return asAnswer(await local(warehouse, workspace ?? DEFAULT_WORKSPACE));
  } finally {
    await warehouse.close();
  }
}
