/** `smsp segment schedule` and `smsp segment runs`: a segment's refresh schedule and its runs, through the server beside the data, else the engine. */
import type { ScheduleAnswer } from '../api/routes/segment-schedules.ts';
import { errors } from '../common/errors.ts';
import { loadConfig } from '../config/config.ts';
import type { Eligibility } from '../segmentation/audiences.ts';
import type { ScheduleRun } from '../segmentation/schedule-runs.ts';
import { describeSchedule, getSegmentSchedule, removeSegmentSchedule, saveSegmentSchedule, segmentRuns } from '../segmentation/segment-schedules.ts';
import { getSegment } from '../segmentation/segments.ts';
import { intFlag, stringFlag, UsageError, type Flags } from './args.ts';
import { printResult, table } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

function formatSchedule(s: ScheduleAnswer): string {
  const state = s.enabled ? `next run ${s.next_run_at ?? 'never'}` : 'disabled';
  return `segment ${s.segment_id}: "${s.cron}" in ${s.timezone}, keeps ${s.keep_versions} versions, ${state} (schedule version ${s.version})`;
}

function formatRuns(answer: { runs: ScheduleRun[] }): string {
  if (answer.runs.length === 0) return 'no runs yet';
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const rows = answer.runs.map((r) => [r.slot, r.status, cell(r.size), cell(r.audience_version), r.started_at, cell(r.finished_at), cell(r.error)]);
  return table(['slot', 'status', 'size', 'version', 'started', 'finished', 'error'], rows).join('\n');
}

/** The schedule body from the flags: --cron, and optionally --eligibility JSON, --keep-versions N, --disabled. */
function scheduleBody(flags: Flags, cron: string) {
  const raw = stringFlag(flags, 'eligibility');
  let eligibility: Eligibility | undefined;
  try {
    eligibility = raw === undefined ? undefined : (JSON.parse(raw) as Eligibility);
  } catch {
    throw new UsageError('--eligibility is not valid JSON');
  }
  return { cron, eligibility, keep_versions: intFlag(flags, 'keep-versions'), enabled: !flags.disabled };
}

/** Sets (--cron), removes (--off) or shows (neither) a segment's schedule. */
async function scheduleAction(flags: Flags, id: string, workspace: string | undefined): Promise<number> {
  const route = `/segments/${encodeURIComponent(id)}/schedule`;
  const cron = stringFlag(flags, 'cron');
  if (cron !== undefined && flags.off) throw new UsageError('give --cron EXPR to set the schedule or --off to remove it, not both');
  if (flags.off) {
    await viaServerOrEngine(
      (server) => server.request('DELETE', route, { workspace }).then(() => undefined),
      async (warehouse, ws) => {
        if (!(await removeSegmentSchedule(warehouse, ws, id, 'cli'))) throw errors.notFound(`schedule of segment ${id}`);
      },
      workspace,
    );
    process.stdout.write(`segment ${id}: schedule removed\n`);
    return 0;
  }
  const body = cron === undefined ? undefined : scheduleBody(flags, cron);
  const answer = await viaServerOrEngine(
    (server) => server.json<ScheduleAnswer>(body ? 'PUT' : 'GET', route, { body, workspace }),
    async (warehouse, ws) => {
      const minIntervalMinutes = loadConfig().server.scheduleMinIntervalMinutes;
      const schedule = body
        ? await saveSegmentSchedule(warehouse, ws, id, body, { minIntervalMinutes, changedBy: 'cli' })
        : await getSegmentSchedule(warehouse, ws, id);
      if (!schedule) throw errors.notFound(`schedule of segment ${id}`);
      return describeSchedule(warehouse, ws, schedule);
    },
    workspace,
  );
  printResult(flags, answer, formatSchedule);
  return 0;
}

/** `smsp segment schedule ID ...` and `smsp segment runs ID [--limit N]`. */
export async function segmentScheduleCommand(flags: Flags, action: 'schedule' | 'runs', id: string, workspace: string | undefined): Promise<number> {
  if (action === 'schedule') return scheduleAction(flags, id, workspace);
  const limit = intFlag(flags, 'limit', 20)!;
  const answer = await viaServerOrEngine(
    (server) => server.json<{ runs: ScheduleRun[] }>('GET', `/segments/${encodeURIComponent(id)}/schedule/runs`, { query: { limit }, workspace }),
    async (warehouse, ws) => {
      if (!(await getSegment(warehouse, ws, id))) throw errors.notFound(`segment ${id}`);
      const runs = await segmentRuns(warehouse, ws, id, limit, 0);
      return { runs: runs.map(({ slotMs: _slot, ...run }) => run) };
    },
    workspace,
  );
  printResult(flags, answer, formatRuns);
  return 0;
}
