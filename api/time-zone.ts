/** The zone a calendar computation uses: `?tz=` when given (an unknown zone is a 400), else the workspace's; in the engine's spelling. */
import type { FastifyRequest } from 'fastify';
import { canonicalTimeZone } from '../access/time-zones.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { errors } from '../common/errors.ts';

export async function requestTimeZone(request: FastifyRequest, wh: Warehouse): Promise<string> {
  const tz = (request.query as { tz?: unknown } | undefined)?.tz;
  if (tz !== undefined) {
    const zone = await canonicalTimeZone(wh, tz);
    if (!zone) throw errors.validation(`querystring.tz: ${JSON.stringify(tz)} is not an IANA time zone the warehouse knows`, 'querystring.tz');
    return zone;
  }
  return (await workspaceSettings(wh, request.principal.workspaceId)).timezone;
}
