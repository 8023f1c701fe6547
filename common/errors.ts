/**
 * The platform's one error family. Domain code raises an AppError naming a catalogue entry
 * (common/error-catalogue.ts); the HTTP layer and the CLI each map it once (api/error-handler.ts,
 * cli/failures.ts). A problem with an input names a JSON path relative to the object the function was
 * given (`variants`, `rule.all[0].tag`); the HTTP layer places it under the request part it came from.
 */
import { CATALOGUE, KINDS, statusOf, type ArgsOf, type CatalogueEntry, type CatalogueName, type ErrorKind } from './error-catalogue.ts';

export type Locale = 'en' | 'zh-CN';

export class AppError<N extends CatalogueName = CatalogueName> extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status: number;

  constructor(
    readonly entry: N,
    readonly args: ArgsOf<N>,
    /** Where the problem is; `''` is the input as a whole. */
    readonly path?: string,
    /** true when `path` already names the request part (the HTTP layer wrote it), false when relative to a domain input. */
    readonly located = false,
    /** Only for refusals passed on as they are (fastify's own, a server's answer). */
    override?: { code: string; status: number; kind?: ErrorKind },
  ) {
    const e = CATALOGUE[entry] as CatalogueEntry<ArgsOf<N>>;
    super(e.en(args, path));
    this.code = override?.code ?? e.code;
    this.kind = override?.kind ?? e.kind;
    this.status = override?.status ?? statusOf(e as CatalogueEntry<never>);
  }

  /** Keeps the low-level error this one stands for (logs and --verbose show it). */
  causedBy(cause: unknown): this {
    this.cause = cause;
    return this;
  }

  /** The message for people reading `locale`. */
  messageIn(locale: Locale): string {
    const e = CATALOGUE[this.entry] as CatalogueEntry<ArgsOf<N>>;
    return locale === 'zh-CN' ? e.zh(this.args, this.path) : e.en(this.args, this.path);
  }

  /** The same error with its path placed under `prefix` (e.g. `body`): `body.variants`, `body[0]`, or `body` for the whole input. */
  under(prefix: string): AppError<N> {
    const path = this.path ?? '';
    const joined = path === '' ? prefix : path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
    const catalogued = CATALOGUE[this.entry] as CatalogueEntry<never>;
    const overridden = this.code !== catalogued.code || this.status !== statusOf(catalogued) || this.kind !== catalogued.kind;
    const located = new AppError(this.entry, this.args, joined, true, overridden ? { code: this.code, status: this.status, kind: this.kind } : undefined);
    located.cause = this.cause;
    return located;
  }
}

/** True when `err` is the family's error with `code`. */
export const isAppError = (err: unknown, code?: string): err is AppError => err instanceof AppError && (code === undefined || err.code === code);

/** The exit code of a kind, for the CLI. */
export const exitCodeOf = (err: AppError): number => KINDS[err.kind].exit;

/** Constructors for every entry, named for what happened. */
export const errors = {
  unauthorized: () => new AppError('unauthorized', {}),
  forbidden: (role: string) => new AppError('forbiddenRole', { role }),
  /** A key may create keys only in its own workspace (unless it is a root key); `path` names the workspace field. */
  otherWorkspace: (path: string) => new AppError('otherWorkspace', {}, path),
  /** A cookie-authenticated change without the app's header (a cross-site request cannot add it). */
  appHeaderMissing: (header: string) => new AppError('appHeaderMissing', { header }, `headers.${header}`, true),
  rootKeyOnly: () => new AppError('rootKeyOnly', {}),
  /** A backup or a rollup rebuild (of every workspace) asked with a key that is not a root key. */
  rootKeyForAllWorkspaces: (action: 'backup' | 'rebuild') => new AppError('rootKeyForAllWorkspaces', { action }),
  /** A second rollup rebuild while one runs. */
  rebuildRefused: () => new AppError('rebuildRefused', {}),
  /** A key named a workspace other than its own; `path` names where (the header). */
  rootKeyWorkspace: (path: string) => new AppError('rootKeyWorkspace', {}, path, true),
  notFound: (what: string) => new AppError('notFound', { what }),
  /** An input problem found by domain code: `path` is relative to the input it was given. */
  invalid: (path: string, reason: string) => new AppError('invalid', { reason }, path),
  /** An input problem found by the HTTP layer: `message` is complete and `field` names the request part. */
  validation: (message: string, field?: string) => new AppError('invalid', { reason: message, message }, field, true),
  tooManyItems: (field: string, max: number) => new AppError('tooManyItems', { max }, field, true),
  bodyTooLarge: (limit: number) => new AppError('bodyTooLarge', { limit }),
  importTooLarge: (reason: string) => new AppError('importTooLarge', { reason }),
  /** The file as a whole cannot be imported. */
  importRefused: (reason: string) => new AppError('importRefused', { reason }, ''),
  unsupportedMediaType: (type: string | undefined, accepted: readonly string[]) => new AppError('unsupportedMediaType', { type, accepted }),
  importNeedsFile: (types: string) => new AppError('importNeedsFile', { types }),
  headersTooLarge: (limit: number) => new AppError('headersTooLarge', { limit }),
  malformedRequest: () => new AppError('malformedRequest', {}),
  frameworkRefusal: (code: string, status: number, message: string) => new AppError('frameworkRefusal', { message }, undefined, true, { code, status }),
  requestTimeout: () => new AppError('requestTimeout', {}),
  clusterTimeout: (seconds: number) => new AppError('clusterTimeout', { seconds }),
  rateLimited: (perMinute: number, retryAfterSeconds: number) => new AppError('rateLimited', { perMinute, retryAfterSeconds }),
  versionConflict: (what: string, version?: number) => new AppError('versionConflict', { what, version }),
  queryTimeout: () => new AppError('queryTimeout', {}),
  /** `path` names the tag field of the definition that repeats another's tag. */
  computedTagTaken: (path: string, what: string) => new AppError('computedTagTaken', { what }, path),
  backupRefused: (reason: string) => new AppError('backupRefused', { reason }),
  backupInvalid: (reason: string) => new AppError('backupInvalid', { reason }),
  unavailable: (why: string) => new AppError('unavailable', { why }),
  schemaTooNew: (versions: readonly string[]) => new AppError('schemaTooNew', { versions }),
  migrationChanged: (name: string) => new AppError('migrationChanged', { name }),
  portInUse: (detail: string) => new AppError('portInUse', { detail }),
  dataDirLocked: (dataDir: string, holder?: { address: string; pid: number }) => new AppError('dataDirLocked', { dataDir, holder }),
  diskFull: (dataDir: string, detail: string) => new AppError('diskFull', { dataDir, detail }),
  webhookLimit: (max: number) => new AppError('webhookLimit', { max }),
  /** DuckDB refused or failed an analyst's query; `position` is a UTF-16 index in it. */
  sqlError: (message: string, position?: number) => new AppError('sqlError', position === undefined ? { message } : { message, position }, 'query'),
  sqlTimeLimit: (seconds: number) => new AppError('sqlTimeLimit', { seconds }),
  internal: () => new AppError('internal', {}),
  serverUnreachable: (address: string, reason: string) => new AppError('serverUnreachable', { address, reason }),
  serverKeyMissing: (dataDir: string) => new AppError('serverKeyMissing', { dataDir }),
  /** The error answer of a server (`{statusCode, code, message}`) as the error it stands for: same code, same kind. */
  fromAnswer: (status: number, answer: { code?: unknown; message?: unknown }) => {
    const code = typeof answer.code === 'string' ? answer.code : `HTTP_${status}`;
    const known = Object.values(CATALOGUE).find((e) => e.code === code) as CatalogueEntry | undefined;
    const kind = known?.kind ?? (Object.keys(KINDS) as ErrorKind[]).find((k) => KINDS[k].status === status) ?? 'internal';
    const message = typeof answer.message === 'string' ? answer.message : `the server answered ${status}`;
    return new AppError('serverAnswer', { message }, undefined, true, { code, status, kind });
  },
};
