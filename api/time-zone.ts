/** The zone a calendar computation uses: `?tz=` when given (an unknown zone is a 400), else the workspace's. */
import type { FastifyRequest } from 'fastify';
import { isTimeZone } from '../access/time-zones.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { errors } from './errors.ts';

export async function requestTimeZone(request: FastifyRequest, wh: Warehouse): Promise<string> {
  const tz = (request.query as { tz?: unknown } | undefined)?.tz;
  if (tz !== undefined) {
    if (typeof tz !== 'string' || !isTimeZone(tz)) throw errors.validation(`querystring.tz: ${JSON.stringify(tz)} is not an IANA time zone`, 'querystring.tz');
    return tz;
  }
  return (await workspaceSettings(wh, request.principal.workspaceId)).timezone;
}
