/**
 * Every error the platform reports, defined once: a stable code, a kind, and a message in English and
 * Chinese. The code never changes with the language. The HTTP status and the CLI exit code come from
 * the kind (an entry may name a more precise status, e.g. 431 for headers); api/error-handler.ts and
 * cli/failures.ts are the only places that turn an entry into an answer.
 */

/** What went wrong, as a caller can act on it. */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'tooLarge'
  | 'unsupportedMediaType'
  | 'rateLimited'
  | 'timeout'
  | 'unavailable'
  | 'internal';

/** Exit codes a script can rely on (cli/failures.ts adds its own for the machine: a locked data dir, a taken port). */
export const EXIT = { failed: 1, usage: 2, notFound: 3, refused: 4, unavailable: 5 } as const;

/** The default HTTP status and the CLI exit code of each kind. */
export const KINDS: Record<ErrorKind, { status: number; exit: number }> = {
  invalid: { status: 400, exit: EXIT.usage },
  unauthorized: { status: 401, exit: EXIT.refused },
  forbidden: { status: 403, exit: EXIT.refused },
  notFound: { status: 404, exit: EXIT.notFound },
  conflict: { status: 409, exit: EXIT.refused },
  tooLarge: { status: 413, exit: EXIT.usage },
  unsupportedMediaType: { status: 415, exit: EXIT.usage },
  rateLimited: { status: 429, exit: EXIT.unavailable },
  timeout: { status: 504, exit: EXIT.unavailable },
  unavailable: { status: 503, exit: EXIT.unavailable },
  internal: { status: 500, exit: EXIT.failed },
};

/** `path` is where in the input the problem is, once located (e.g. `body.variants`); absent when not about a field. */
type Text<A> = (args: A, path: string | undefined) => string;

export interface CatalogueEntry<A = never> {
  code: string;
  kind: ErrorKind;
  /** Only where HTTP has a more precise status than the kind's. */
  status?: number;
  en: Text<A>;
  zh: Text<A>;
}

const entry = <A = Record<string, never>>(e: CatalogueEntry<A>): CatalogueEntry<A> => e;

/** `path: reason`, or the reason alone when the problem is not about one field. */
const atPath = (path: string | undefined, reason: string) => (path ? `${path}: ${reason}` : reason);

export const CATALOGUE = {
  unauthorized: entry({
    code: 'UNAUTHORIZED',
    kind: 'unauthorized',
    en: () => 'a valid API key is required (Authorization: Bearer <key>)',
    zh: () => '需要有效的 API 密钥（Authorization: Bearer <key>）',
  }),
  forbiddenRole: entry<{ role: string }>({
    code: 'FORBIDDEN',
    kind: 'forbidden',
    en: (a) => `role ${a.role} may not do this`,
    zh: (a) => `角色 ${a.role} 无权执行此操作`,
  }),
  otherWorkspace: entry({
    code: 'FORBIDDEN',
    kind: 'forbidden',
    en: () => 'an admin key may only create keys in its own workspace',
    zh: () => '管理员密钥只能在自己的工作区内创建密钥',
  }),
  rootKeyWorkspace: entry({
    code: 'FORBIDDEN',
    kind: 'forbidden',
    en: () => 'only a root key may act in another workspace (X-Smsp-Workspace)',
    zh: () => '只有根密钥可以在其他工作区内操作（X-Smsp-Workspace）',
  }),
  appHeaderMissing: entry<{ header: string }>({
    code: 'FORBIDDEN',
    kind: 'forbidden',
    en: (a) => `a change made with a web app session must carry the header ${a.header}: 1`,
    zh: (a) => `使用网页会话进行修改时必须携带请求头 ${a.header}: 1`,
  }),
  rootKeyOnly: entry({ code: 'FORBIDDEN', kind: 'forbidden', en: () => 'only a root key may revoke a root key', zh: () => '只有根密钥可以吊销根密钥' }),
  /** Also the answer for another workspace's object: it must be indistinguishable from a missing one. */
  /** An operation over every workspace (a backup, a rollup rebuild) asked with a key that is not a root key. */
  rootKeyForAllWorkspaces: entry<{ action: 'backup' | 'rebuild' }>({
    code: 'FORBIDDEN',
    kind: 'forbidden',
    en: (a) =>
      a.action === 'backup'
        ? 'only a root key may make backups: a backup holds every workspace'
        : 'only a root key may rebuild rollups: they hold every workspace',
    zh: (a) => (a.action === 'backup' ? '只有根密钥可以创建备份：备份包含所有工作区的数据' : '只有根密钥可以重建汇总表：汇总表包含所有工作区的数据'),
  }),
  notFound: entry<{ what: string }>({ code: 'NOT_FOUND', kind: 'notFound', en: (a) => `${a.what} not found`, zh: (a) => `未找到：${a.what}` }),
  /**
   * Field-level details stay in English in both languages (they quote field names and JSON Schema terms).
   * `message` is a complete message written by the HTTP layer; otherwise `reason` is put after the path.
   */
  invalid: entry<{ reason: string; message?: string }>({
    code: 'VALIDATION_FAILED',
    kind: 'invalid',
    en: (a, path) => a.message ?? atPath(path, a.reason),
    zh: (a, path) => `请求无效：${a.message ?? atPath(path, a.reason)}`,
  }),
  tooManyItems: entry<{ max: number }>({
    code: 'TOO_MANY_ITEMS',
    kind: 'tooLarge',
    en: (a, path) => `${path}: at most ${a.max} items per request`,
    zh: (a, path) => `${path}：每个请求最多 ${a.max} 条`,
  }),
  bodyTooLarge: entry<{ limit: number }>({
    code: 'BODY_TOO_LARGE',
    kind: 'tooLarge',
    en: (a) => `request body is larger than ${a.limit} bytes`,
    zh: (a) => `请求体超过 ${a.limit} 字节`,
  }),
  importTooLarge: entry<{ reason: string }>({ code: 'IMPORT_TOO_LARGE', kind: 'tooLarge', en: (a) => a.reason, zh: (a) => `导入文件过大：${a.reason}` }),
  importRefused: entry<{ reason: string }>({ code: 'IMPORT_REFUSED', kind: 'invalid', en: (a) => a.reason, zh: (a) => `无法导入该文件：${a.reason}` }),
  /** `type` is the request's content type, absent when the body came without one. */
  unsupportedMediaType: entry<{ type?: string; accepted: readonly string[] }>({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    kind: 'unsupportedMediaType',
    en: (a) => `${a.type ? `content type ${a.type} is not accepted here` : 'a body needs a content type'}; send ${a.accepted.join(', ')}`,
    zh: (a) => `${a.type ? `此处不接受内容类型 ${a.type}` : '请求体缺少内容类型'}；请使用 ${a.accepted.join('、')}`,
  }),
  /** The import route's body is the file itself. */
  importNeedsFile: entry<{ types: string }>({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    kind: 'unsupportedMediaType',
    en: (a) => `send the file as the body with content-type ${a.types} or the xlsx type`,
    zh: (a) => `请将文件作为请求体发送，内容类型为 ${a.types} 或 xlsx 类型`,
  }),
  headersTooLarge: entry<{ limit: number }>({
    code: 'HEADERS_TOO_LARGE',
    kind: 'tooLarge',
    status: 431,
    en: (a) => `request headers are larger than ${a.limit} bytes`,
    zh: (a) => `请求头超过 ${a.limit} 字节`,
  }),
  /** Before a request exists: the bytes were not HTTP. */
  malformedRequest: entry({ code: 'BAD_REQUEST', kind: 'invalid', en: () => 'the request is not valid HTTP', zh: () => '请求不是有效的 HTTP' }),
  /** Another 4xx that fastify raised itself (rare): its own code, status and message are passed on. */
  frameworkRefusal: entry<{ message: string }>({ code: 'BAD_REQUEST', kind: 'invalid', en: (a) => a.message, zh: (a) => `请求无效：${a.message}` }),
  requestTimeout: entry({ code: 'REQUEST_TIMEOUT', kind: 'timeout', status: 408, en: () => 'the request took too long to arrive', zh: () => '请求发送超时' }),
  clusterTimeout: entry<{ seconds: number }>({
    code: 'CLUSTER_TIMEOUT',
    kind: 'timeout',
    status: 422,
    en: (a) => `clustering ran longer than its ${a.seconds} s limit; use a smaller sample, fewer features or a narrower k_range`,
    zh: (a) => `聚类计算超过 ${a.seconds} 秒的时间限制，请减小 sample、减少特征或缩小 k_range`,
  }),
  rateLimited: entry<{ perMinute: number; retryAfterSeconds: number }>({
    code: 'RATE_LIMITED',
    kind: 'rateLimited',
    en: (a) => `too many requests: at most ${a.perMinute} a minute per API key; retry in ${a.retryAfterSeconds} s`,
    zh: (a) => `请求过于频繁：每个 API 密钥每分钟最多 ${a.perMinute} 次，请 ${a.retryAfterSeconds} 秒后重试`,
  }),
  /** A write based on an outdated version of the object (another edit was saved first). */
  versionConflict: entry<{ what: string; version?: number }>({
    code: 'VERSION_CONFLICT',
    kind: 'conflict',
    en: (a) => `${a.what} was changed by another request${a.version === undefined ? '' : ` (version ${a.version} is taken)`}; read it again and retry`,
    zh: (a) => `${a.what} 已被其他请求修改${a.version === undefined ? '' : `（版本 ${a.version} 已被占用）`}，请重新读取后再试`,
  }),
  queryTimeout: entry({
    code: 'QUERY_TIMEOUT',
    kind: 'timeout',
    en: () => 'the query ran longer than its time limit; narrow the time range or filters',
    zh: () => '查询超过时间限制，请缩小时间范围或筛选条件',
  }),
  /** A backup or restore that would overwrite something (a non-empty directory or database). */
  rebuildRefused: entry({
    code: 'REBUILD_RUNNING',
    kind: 'conflict',
    en: () => 'a rollup rebuild is already running on this server; try again when it has finished',
    zh: () => '此服务器上已有汇总表重建在运行，请在其完成后重试',
  }),
  /** A second computed-tag definition of a tag (and value) that one already computes: `what` is that definition. */
  computedTagTaken: entry<{ what: string }>({
    code: 'COMPUTED_TAG_TAKEN',
    kind: 'conflict',
    en: (a, path) => atPath(path, `this tag is already computed by ${a.what}; change that definition instead`),
    zh: (a, path) => atPath(path, `该标签已由 ${a.what} 计算，请修改那个定义`),
  }),
  backupRefused: entry<{ reason: string }>({ code: 'BACKUP_REFUSED', kind: 'conflict', en: (a) => a.reason, zh: (a) => `备份或恢复被拒绝：${a.reason}` }),
  /** A backup that cannot be trusted: its manifest is unreadable or altered, or its content differs from it. */
  backupInvalid: entry<{ reason: string }>({ code: 'BACKUP_INVALID', kind: 'invalid', en: (a) => a.reason, zh: (a) => `备份无效：${a.reason}` }),
  unavailable: entry<{ why: string }>({ code: 'UNAVAILABLE', kind: 'unavailable', en: (a) => a.why, zh: (a) => `服务暂不可用：${a.why}` }),
  /** The CLI's server (recorded in the data directory, or SMSP_URL) did not answer. */
  serverUnreachable: entry<{ address: string; reason: string }>({
    code: 'SERVER_UNREACHABLE',
    kind: 'unavailable',
    en: (a) => `the server at ${a.address} does not answer (${a.reason}): start it again, or check SMSP_URL`,
    zh: (a) => `位于 ${a.address} 的服务器没有响应（${a.reason}）：请重新启动它，或检查 SMSP_URL`,
  }),
  /** A server runs on the data directory but the CLI has no key to call it with. */
  serverKeyMissing: entry<{ dataDir: string }>({
    code: 'SERVER_KEY_MISSING',
    kind: 'invalid',
    en: (a) => `a server is running on ${a.dataDir} but its admin key is not at hand: set ADMIN_API_KEY to the server's, or SMSP_URL and SMSP_API_KEY`,
    zh: (a) => `${a.dataDir} 上有服务器在运行，但找不到它的管理员密钥：请设置 ADMIN_API_KEY，或设置 SMSP_URL 和 SMSP_API_KEY`,
  }),
  /** An error answer from the server, passed on with its own code (its kind is found from the code). */
  serverAnswer: entry<{ message: string }>({ code: 'SERVER_ERROR', kind: 'internal', en: (a) => a.message, zh: (a) => `服务器答复：${a.message}` }),
  /** The data directory holds applied migrations this code does not know: a newer smsp wrote it. */
  schemaTooNew: entry<{ versions: readonly string[] }>({
    code: 'SCHEMA_TOO_NEW',
    kind: 'unavailable',
    en: (a) =>
      `the database has migrations this version of smsp does not know (${a.versions.join(', ')}): a newer version wrote it; run that version, or point DATA_DIR or CLICKHOUSE_URL elsewhere`,
    zh: (a) => `数据库包含此版本 smsp 不认识的迁移（${a.versions.join('、')}）：它由更新的版本写入；请使用该版本，或将 DATA_DIR 或 CLICKHOUSE_URL 指向其他位置`,
  }),
  migrationChanged: entry<{ name: string }>({
    code: 'MIGRATION_MISMATCH',
    kind: 'unavailable',
    en: (a) => `migration ${a.name} was changed after it was applied (is this database from another version?); add a new migration instead`,
    zh: (a) => `迁移 ${a.name} 在应用后被修改（该数据库是否来自其他版本？）；请改为新增一个迁移`,
  }),
  /** The machine's refusals at start-up, as the CLI reports them. */
  portInUse: entry<{ detail: string }>({
    code: 'PORT_IN_USE',
    kind: 'unavailable',
    en: (a) => `${a.detail}: another program listens there; choose another with --port or PORT`,
    zh: (a) => `${a.detail}：该端口已被其他程序占用；请用 --port 或 PORT 换一个端口`,
  }),
  dataDirLocked: entry<{ dataDir: string; holder?: { address: string; pid: number } }>({
    code: 'DATA_DIR_LOCKED',
    kind: 'unavailable',
    en: (a) =>
      `the data directory ${a.dataDir} is in use: ${a.holder ? `a server is running on it at ${a.holder.address} (pid ${a.holder.pid})` : 'another smsp process has it open'}. The embedded engine allows one process per directory: use the server's HTTP API, stop it first, or set DATA_DIR to another directory`,
    zh: (a) =>
      `数据目录 ${a.dataDir} 正在使用中：${a.holder ? `服务器正在 ${a.holder.address} 运行（pid ${a.holder.pid}）` : '另一个 smsp 进程已打开它'}。嵌入式引擎每个目录只允许一个进程：请通过服务器的 HTTP API 操作、先停止它，或将 DATA_DIR 设为其他目录`,
  }),
  diskFull: entry<{ dataDir: string; detail: string }>({
    code: 'DISK_FULL',
    kind: 'unavailable',
    en: (a) => `the disk is full (${a.detail}); free space where the data lives (${a.dataDir}) and start again`,
    zh: (a) => `磁盘空间不足（${a.detail}）；请释放数据所在位置（${a.dataDir}）的空间后重新启动`,
  }),
  /** A segment already has as many webhooks as it may. */
  webhookLimit: entry<{ max: number }>({
    code: 'WEBHOOK_LIMIT',
    kind: 'conflict',
    en: (a) => `the segment already has ${a.max} webhooks, the most it may have; delete one first`,
    zh: (a) => `该分群已有 ${a.max} 个 Webhook，已达上限；请先删除一个`,
  }),
  /** Analysts' SQL (sandbox/): DuckDB's own message, and where in the query it points when it says. */
  sqlError: entry<{ message: string; position?: number }>({
    code: 'SQL_ERROR',
    kind: 'invalid',
    en: (a) => a.message,
    zh: (a) => `SQL 错误：${a.message}`,
  }),
  sqlTimeLimit: entry<{ seconds: number }>({
    code: 'QUERY_TIMEOUT',
    kind: 'timeout',
    en: (a) => `the SQL query ran longer than ${a.seconds} s and was stopped; aggregate or filter more`,
    zh: (a) => `SQL 查询超过 ${a.seconds} 秒，已被中止；请先聚合或加筛选条件`,
  }),
  internal: entry({ code: 'INTERNAL', kind: 'internal', en: () => 'internal error', zh: () => '内部错误' }),
};

export type CatalogueName = keyof typeof CATALOGUE;
/** The arguments an entry's messages take. */
export type ArgsOf<N extends CatalogueName> = (typeof CATALOGUE)[N] extends CatalogueEntry<infer A> ? A : never;

/** The HTTP status of an entry: its own, else its kind's. */
export const statusOf = (e: CatalogueEntry<never>): number => e.status ?? KINDS[e.kind].status;
