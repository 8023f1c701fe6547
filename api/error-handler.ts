/** Maps every failure to the one error shape; request-schema failures name the offending field. */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Locale } from '../access/time-zones.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { describeSchemaErrors } from '../common/schema-errors.ts';
import { AppError, errors } from '../common/errors.ts';
import { acceptedContentTypes } from './content-types.ts';
import { errorBody } from './errors.ts';

/** The family's error for anything thrown while answering a request; failures fastify raised itself included. */
function toAppError(err: FastifyError | Error): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const described = describeSchemaErrors(fe.validation as never, fe.validationContext ?? '');
    return errors.validation(described.message, described.field);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errors.bodyTooLarge(0);
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && err instanceof SyntaxError)) {
    return errors.validation('body: is not valid JSON', 'body');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return errors.frameworkRefusal(fe.code ?? 'BAD_REQUEST', fe.statusCode, fe.message);
  return errors.internal();
}

type Schema = { properties?: Record<string, unknown>; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] } | undefined;

const declares = (schema: Schema, key: string): boolean =>
  !!schema &&
  (Object.hasOwn(schema.properties ?? {}, key) || [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].some((s) => declares(s, key)));

const REQUEST_PARTS = ['body', 'querystring', 'params'] as const;

/**
 * Domain code names paths relative to its input (`variants`, `rule.all[0]`); the answer names the
 * request part too (`body.variants`): the first part whose schema declares the path's first key. A
 * path no part declares is not request input (e.g. an experiment's `status`) and is left as it is;
 * `''` (the input as a whole) is the body.
 */
function locate(err: AppError, request: FastifyRequest): AppError {
  if (err.located || err.path === undefined) return err;
  if (err.path === '') return request.body === undefined ? err : err.under('body');
  const head = /^[^.[]+/.exec(err.path)?.[0] ?? '';
  const schema = request.routeOptions.schema as Record<string, Schema> | undefined;
  const part = REQUEST_PARTS.find((p) => declares(schema?.[p], head));
  return part ? err.under(part) : err;
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
    let appError = locate(toAppError(err as FastifyError), request);
    if (appError.code === 'BODY_TOO_LARGE') appError = errors.bodyTooLarge(bodyLimitBytes);
    if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      appError = errors.unsupportedMediaType(request.headers['content-type']?.slice(0, 100), acceptedContentTypes(request));
    if (appError.status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(appError.status).send(errorBody(appError, await messageLocale(request, wh)));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const e = errors.notFound(`route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(errorBody(e, await messageLocale(request, wh)));
  });
}
