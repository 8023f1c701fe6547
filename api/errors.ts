/**
 * Every error the HTTP API can answer, defined once with a machine-readable code, a status and a
 * message; every error response has the same shape: { statusCode, code, message, field? }.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const errors = {
  unauthorized: () => new ApiError(401, 'UNAUTHORIZED', 'a valid API key is required (Authorization: Bearer <key>)'),
  forbidden: (role: string) => new ApiError(403, 'FORBIDDEN', `role ${role} may not do this`),
  /** Also the answer for another workspace's object: it must be indistinguishable from a missing one. */
  notFound: (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`),
  validation: (message: string, field?: string) => new ApiError(400, 'VALIDATION_FAILED', message, field),
  tooManyItems: (field: string, max: number) => new ApiError(413, 'TOO_MANY_ITEMS', `${field}: at most ${max} items per request`, field),
  bodyTooLarge: (limit: number) => new ApiError(413, 'BODY_TOO_LARGE', `request body is larger than ${limit} bytes`),
  unsupportedMediaType: (type: string) => new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `content type ${type} is not accepted`),
  queryTimeout: () => new ApiError(504, 'QUERY_TIMEOUT', 'the query ran longer than its time limit; narrow the time range or filters'),
  unavailable: (why: string) => new ApiError(503, 'UNAVAILABLE', why),
  internal: () => new ApiError(500, 'INTERNAL', 'internal error'),
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

export function errorBody(err: ApiError): ErrorBody {
  return { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
}
