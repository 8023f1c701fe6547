/**
 * The HTTP face of the error family (common/errors.ts): every error response has the same shape,
 * { statusCode, code, message, field? }, in the caller's language. The code never changes with it.
 */
import type { AppError, Locale } from '../common/errors.ts';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
  /** Where in a submitted SQL query the problem is (UTF-16 index), when the engine says. */
  position?: number;
}

/** The answer for `err`, whose path must already name the request part (see error-handler.ts). */
export function errorBody(err: AppError, locale: Locale = 'en'): ErrorBody {
  const position = (err.args as { position?: unknown }).position;
  return {
    statusCode: err.status,
    code: err.code,
    message: err.messageIn(locale),
    ...(err.path ? { field: err.path } : {}),
    ...(typeof position === 'number' ? { position } : {}),
  };
}
