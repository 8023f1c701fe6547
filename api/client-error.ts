/**
 * Answers the errors Node raises before a request exists (headers larger than the server takes,
 * bytes that are not HTTP, a request that never finished arriving) with the one error shape, instead
 * of fastify's default body without `code`. There are no parsed headers yet: the language comes from
 * an Accept-Language found in the raw bytes, else the platform's default (Chinese).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyInstance } from 'fastify';
import type { AppError } from '../common/errors.ts';
import { errors } from '../common/errors.ts';
import { errorBody } from './errors.ts';

/** What Node passes: `rawPacket` is the bytes read so far, a Buffer (fastify's type says otherwise). */
type ClientError = Omit<ConnectionError, 'rawPacket'> & { rawPacket?: unknown };

function apiErrorOf(err: ClientError): AppError {
  if (err.code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge(http.maxHeaderSize);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout();
  return errors.malformedRequest();
}

function localeOf(err: ClientError): 'zh-CN' | 'en' {
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1') : '';
  return /\r\naccept-language:[ \t]*en/i.test(raw) ? 'en' : 'zh-CN';
}

/** fastify's `clientErrorHandler` (called with the fastify instance as `this`). */
export function clientErrorHandler(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError = apiErrorOf(err);
  this.log.debug({ err }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(apiError, localeOf(err as ClientError)));
  const head = `HTTP/1.1 ${apiError.status} ${http.STATUS_CODES[apiError.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
  // Read and drop what the client is still sending: closing with unread bytes would reset the
  // connection and could lose the answer before the client reads it. Give up after a moment.
  socket.resume();
  setTimeout(() => socket.destroy(), 2000).unref();
}
