/** Maps every failure to the one error shape; request-schema failures name the offending field. */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Locale } from '../access/time-zones.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { describeSchemaErrors } from '../common/schema-errors.ts';
import { VersionConflictError } from '../warehouse/version-claims.ts';
import { QueryTimeoutError } from '../warehouse/warehouse.ts';
import { acceptedContentTypes } from './content-types.ts';
import { IntakeUnavailableError } from '../ingest/kafka/event-publisher.ts';
import { ApiError, errorBody, errors } from './errors.ts';

function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof QueryTimeoutError) return errors.queryTimeout();
  if (err instanceof IntakeUnavailableError) return errors.unavailable(err.message);
  if (err instanceof VersionConflictError) return errors.versionConflict(`${err.key.type.replace(/s$/, '')} ${err.key.id}`, err.version);
  const fe = err as FastifyError;
  if (fe.validation) {
    const described = describeSchemaErrors(fe.validation as never, fe.validationContext ?? '');
    return errors.validation(described.message, described.field);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errors.bodyTooLarge(0);
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && err instanceof SyntaxError)) {
    return errors.validation('body: is not valid JSON', 'body');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new ApiError(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message);
  return errors.internal();
}

/**
 * The language of messages meant for people: the request's Accept-Language when it names Chinese or
 * English, else the caller's workspace locale, else Chinese (the platform's default).
 */
export async function messageLocale(request: FastifyRequest, wh: Warehouse): Promise<Locale> {
  const first = request.headers['accept-language']?.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('zh')) return 'zh-CN';
  if (first.startsWith('en')) return 'en';
  if (request.principal) {
    try {
      return (await workspaceSettings(wh, request.principal.workspaceId)).locale;
    } catch {
      // fall through to the default
    }
  }
  return 'zh-CN';
}

export function installErrorHandler(app: FastifyInstance, bodyLimitBytes: number, wh: Warehouse): void {
  app.setErrorHandler(async (err, request, reply) => {
    let apiError = toApiError(err as FastifyError);
    if (apiError.code === 'BODY_TOO_LARGE') apiError = errors.bodyTooLarge(bodyLimitBytes);
    if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') apiError = errors.unsupportedMediaType(request.headers['content-type']?.slice(0, 100), acceptedContentTypes(request));
    if (apiError.statusCode >= 500) request.log.error({ err }, 'request failed');
    return reply.status(apiError.statusCode).send(errorBody(apiError, await messageLocale(request, wh)));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const e = errors.notFound(`route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(errorBody(e, await messageLocale(request, wh)));
  });
}
