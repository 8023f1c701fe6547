/** Evaluates every workspace's alert rules on a schedule inside the server process. */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { startPeriodicPass, type PeriodicPass } from '../common/periodic-pass.ts';
import { addZoneDays, startOfZoneHour } from '../common/zone-time.ts';
import type { WebhookConfig } from '../config/config.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { DiagnoseTemplate } from './alert-types.ts';
import { deliverAlertWebhook } from './alert-webhooks.ts';
import { evaluateAlerts } from './alerts.ts';

const LOOKBACK_DAYS = 8;

/** One pass: the complete buckets of the last 8 calendar days in each workspace's zone, up to its last whole hour (already-fired buckets are skipped). */
export async function evaluateAllWorkspaces(
  wh: Warehouse,
  nowMs: number,
  webhooks: WebhookConfig,
  onError: (err: unknown) => void,
  stopped: () => boolean = () => false,
  diagnoseTemplate?: DiagnoseTemplate,
): Promise<number> {
  const workspaces = await wh.query<{ workspace_id: string }>(sql('alerts/workspaces-with-rules'));
  let fired = 0;
  for (const { workspace_id: ws } of workspaces) {
    // A server shutting down waits for the workspace in hand, not for the whole pass.
    if (stopped()) break;
    try {
      const { timezone } = await workspaceSettings(wh, ws);
      // The zone's hours: in +05:30 an hour ends at xx:30 UTC, so a UTC cut would leave each hour for the next pass.
      const toMs = startOfZoneHour(nowMs, timezone);
      const alerts = await evaluateAlerts(wh, ws, {
        fromMs: addZoneDays(toMs, -LOOKBACK_DAYS, timezone),
        toMs,
        tz: timezone,
        nowMs,
        deliver: (target, alert) => void deliverAlertWebhook(wh, ws, target, alert, webhooks).catch(onError),
        onRuleError: (_rule, err) => onError(err),
        diagnoseTemplate,
      });
      fired += alerts.length;
    } catch (err) {
      onError(err);
    }
  }
  return fired;
}

/** Starts the schedule: a pass every `everyMs`, never two at once (template rules are diagnosed with `diagnoseTemplate`). */
export function startAlertScheduler(
  wh: Warehouse,
  everyMs: number,
  webhooks: WebhookConfig,
  onError: (err: unknown) => void,
  diagnoseTemplate?: DiagnoseTemplate,
): PeriodicPass {
  return startPeriodicPass(everyMs, (stopped) => evaluateAllWorkspaces(wh, now(), webhooks, onError, stopped, diagnoseTemplate), onError);
}
