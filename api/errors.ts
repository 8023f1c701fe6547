/**
 * Every error the HTTP API can answer, defined once with a machine-readable code, a status and a
 * message in English and Chinese; every error response has the same shape:
 * { statusCode, code, message, field? }. The code never changes with the language.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The message in Chinese (zh-CN); English is used when absent. */
    readonly zh?: string,
  ) {
    super(message);
  }
}

export const errors = {
  unauthorized: () => new ApiError(401, 'UNAUTHORIZED', 'a valid API key is required (Authorization: Bearer <key>)', undefined, '需要有效的 API 密钥（Authorization: Bearer <key>）'),
  forbidden: (role: string) => new ApiError(403, 'FORBIDDEN', `role ${role} may not do this`, undefined, `角色 ${role} 无权执行此操作`),
  /** Also the answer for another workspace's object: it must be indistinguishable from a missing one. */
  notFound: (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`, undefined, `未找到：${what}`),
  /** Field-level details stay in English in both languages (they quote field names and JSON Schema terms). */
  validation: (message: string, field?: string) => new ApiError(400, 'VALIDATION_FAILED', message, field, `请求无效：${message}`),
  tooManyItems: (field: string, max: number) => new ApiError(413, 'TOO_MANY_ITEMS', `${field}: at most ${max} items per request`, field, `${field}：每个请求最多 ${max} 条`),
  bodyTooLarge: (limit: number) => new ApiError(413, 'BODY_TOO_LARGE', `request body is larger than ${limit} bytes`, undefined, `请求体超过 ${limit} 字节`),
  /** `type` is the request's content type, absent when the body came without one. */
  unsupportedMediaType: (type: string | undefined, accepted: readonly string[]) =>
    new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `${type ? `content type ${type} is not accepted here` : 'a body needs a content type'}; send ${accepted.join(', ')}`,
      undefined,
      `${type ? `此处不接受内容类型 ${type}` : '请求体缺少内容类型'}；请使用 ${accepted.join('、')}`,
    ),
  headersTooLarge: (limit: number) => new ApiError(431, 'HEADERS_TOO_LARGE', `request headers are larger than ${limit} bytes`, undefined, `请求头超过 ${limit} 字节`),
  /** Before a request exists: the bytes were not HTTP. */
  malformedRequest: () => new ApiError(400, 'BAD_REQUEST', 'the request is not valid HTTP', undefined, '请求不是有效的 HTTP'),
  requestTimeout: () => new ApiError(408, 'REQUEST_TIMEOUT', 'the request took too long to arrive', undefined, '请求发送超时'),
  clusterTimeout: (seconds: number) =>
    new ApiError(422, 'CLUSTER_TIMEOUT', `clustering ran longer than its ${seconds} s limit; use a smaller sample, fewer features or a narrower k_range`, undefined, `聚类计算超过 ${seconds} 秒的时间限制，请减小 sample、减少特征或缩小 k_range`),
  rateLimited: (perMinute: number, retryAfterSeconds: number) =>
    new ApiError(429, 'RATE_LIMITED', `too many requests: at most ${perMinute} a minute per API key; retry in ${retryAfterSeconds} s`, undefined, `请求过于频繁：每个 API 密钥每分钟最多 ${perMinute} 次，请 ${retryAfterSeconds} 秒后重试`),
  /** A write based on an outdated version of the object (another edit was saved first). */
  versionConflict: (what: string, version?: number) =>
    new ApiError(
      409,
      'VERSION_CONFLICT',
      `${what} was changed by another request${version === undefined ? '' : ` (version ${version} is taken)`}; read it again and retry`,
      undefined,
      `${what} 已被其他请求修改${version === undefined ? '' : `（版本 ${version} 已被占用）`}，请重新读取后再试`,
    ),
  queryTimeout: () => new ApiError(504, 'QUERY_TIMEOUT', 'the query ran longer than its time limit; narrow the time range or filters', undefined, '查询超过时间限制，请缩小时间范围或筛选条件'),
  unavailable: (why: string) => new ApiError(503, 'UNAVAILABLE', why, undefined, `服务暂不可用：${why}`),
  internal: () => new ApiError(500, 'INTERNAL', 'internal error', undefined, '内部错误'),
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

export function errorBody(err: ApiError, locale: 'zh-CN' | 'en' = 'en'): ErrorBody {
  const message = locale === 'zh-CN' && err.zh ? err.zh : err.message;
  return { statusCode: err.statusCode, code: err.code, message, ...(err.field ? { field: err.field } : {}) };
}
