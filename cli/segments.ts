import fs from 'node:fs';
import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { fieldAccess, presentPersonal } from '../access/pii-policy.ts';
import { errors } from '../common/errors.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import type { AudienceAnswer } from '../api/routes/audiences.ts';
import type { MaterializedAnswer, PreviewAnswer } from '../api/routes/segments.ts';
import { notifyAudienceVersion } from '../segmentation/audience-notices.ts';
import { audienceVersions, getAudience, materializeAudience, type Eligibility } from '../segmentation/audiences.ts';
import { loadConfig } from '../config/config.ts';
import { audienceDiffCounts, checkedDiffRange, diffAudiencePage, type DiffCounts, type DiffRange } from '../segmentation/audience-diffs.ts';
import { EXPORT_FORMATS, exportAudiencePage, exportFieldsOf, type ExportFormat, type ExportPage } from '../segmentation/exports.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { getSegment, previewRule } from '../segmentation/segments.ts';
import { intFlag, stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';
import { printResult, table } from './output.ts';
import { progressReporter } from './progress.ts';
import { segmentScheduleCommand } from './segment-schedules.ts';
import { segmentWebhooksCommand } from './segment-webhooks.ts';
import { serverClient, viaServerOrEngine, type ServerClient } from './server-client.ts';

const USAGE = `usage: smsp segment preview (--rule JSON | --rule-file FILE) [--workspace W] [--json]
       smsp segment webhooks SEGMENT_ID [--add URL [--description D]] [--workspace W] [--json]
       smsp segment schedule SEGMENT_ID [--cron EXPR [--eligibility JSON] [--keep-versions N] [--disabled] | --off] [--workspace W] [--json]
       smsp segment runs SEGMENT_ID [--limit N] [--workspace W] [--json]
       smsp audience materialize SEGMENT_ID [--eligibility JSON] [--workspace W] [--json]
       smsp audience export AUDIENCE_ID [--format ndjson|csv] [--fields a,b] [--version N] [--out FILE] [--workspace W] [--json]
       smsp audience diff AUDIENCE_ID --from N --to N [--format ndjson|csv] [--fields a,b] [--out FILE] [--workspace W] [--json]`;
/** Rows per export page (the API's largest). */
const EXPORT_PAGE = 100_000;
/** The admin's view: what the root key sees through the API. */
const ROLE = 'admin';

function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`${what} is not valid JSON`);
  }
}

function jsonFlag(flags: Flags, name: string): unknown {
  const raw = stringFlag(flags, name);
  return raw === undefined ? undefined : parseJson(raw, `--${name}`);
}

function formatPreview(p: PreviewAnswer): string {
  const cells = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const rows = p.sample.map((r) => [r.user_id, r.phone, r.name, r.city, r.region, r.vip_level].map(cells));
  const sample = p.sample.length ? ['', `a sample of ${p.sample.length}:`, ...table(['user_id', 'phone', 'name', 'city', 'region', 'vip_level'], rows)] : [];
  return [`${p.count} contacts match (dates in ${p.timezone})`, ...sample].join('\n');
}

function formatMaterialized(m: MaterializedAnswer): string {
  const excluded = Object.entries(m.excluded).map(([why, n]) => `${why} ${n}`);
  return `audience ${m.audience_id} version ${m.version}: ${m.size} contacts of ${m.matched} matched (excluded: ${excluded.join(', ') || 'none'}; ${m.timezone})`;
}

/** `smsp segment preview|schedule|runs` and `smsp audience materialize|export|diff`: through the server beside the data, else the engine. */
export async function segmentCommand(flags: Flags, positionals: string[], noun: 'segment' | 'audience'): Promise<number> {
  const [action, id] = positionals;
  const workspace = stringFlag(flags, 'workspace');
  const scheduled = noun === 'segment' && (action === 'schedule' || action === 'runs') && id;
  const valid =
    (noun === 'segment' && (action === 'preview' || (action === 'webhooks' && id))) ||
    scheduled ||
    (noun === 'audience' && ['materialize', 'export', 'diff'].includes(action!) && id);
  if (!valid) throw new UsageError(USAGE);
  if (action === 'webhooks') return segmentWebhooksCommand(flags, id!);
  if (scheduled) return segmentScheduleCommand(flags, action, id, workspace);
  if (action === 'preview') {
    const ruleFile = stringFlag(flags, 'rule-file');
    const rule = ruleFile ? parseJson(fs.readFileSync(ruleFile, 'utf8'), ruleFile) : jsonFlag(flags, 'rule');
    if (rule === undefined) throw new UsageError('give --rule JSON or --rule-file FILE');
    const answer = await viaServerOrEngine(
      (server) => server.json<PreviewAnswer>('POST', '/segments/preview', { body: { rule, sample: 10 }, workspace }),
      async (warehouse, ws) => {
        const { timezone } = await workspaceSettings(warehouse, ws);
        const result = await previewRule(warehouse, ws, rule, { nowMs: Date.now(), timezone, sample: 10, access: fieldAccess(ROLE) });
        return { count: result.count, timezone, sample: result.sample.map((r) => presentPersonal(r, ROLE)) };
      },
      workspace,
    );
    printResult(flags, answer, formatPreview);
    return 0;
  }
  if (action === 'materialize') {
    const eligibility = (jsonFlag(flags, 'eligibility') ?? {}) as Eligibility;
    const answer = await viaServerOrEngine(
      (server) => server.json<MaterializedAnswer>('POST', `/segments/${encodeURIComponent(id!)}/materialize`, { body: { eligibility }, workspace }),
      async (warehouse, ws) => {
        const segment = await getSegment(warehouse, ws, id!);
        if (!segment) throw errors.notFound(`segment ${id}`);
        const { timezone } = await workspaceSettings(warehouse, ws);
        const audience = await materializeAudience(warehouse, ws, segment, eligibility, { nowMs: Date.now(), timezone, changedBy: 'cli' });
        // Without a server, the command itself delivers the new version's notices (and waits for them) before it ends.
        await notifyAudienceVersion(warehouse, ws, audience, loadConfig().webhooks, (err) =>
          process.stderr.write(`audience notice failed: ${(err as Error).message}\n`),
        );
        const { version, size, matched, excluded } = audience.spec;
        return { audience_id: audience.id, version, size, matched, excluded, timezone };
      },
      workspace,
    );
    printResult(flags, answer, formatMaterialized);
    return 0;
  }
  return writeAll(flags, id!, workspace, action === 'diff');
}

/** Pages of one audience snapshot or diff, from the server (following X-Next-Cursor) or from the engine. */
interface ExportSource {
  /** What the progress line says, and how many rows it expects. */
  label: string;
  total: number;
  pages(): AsyncGenerator<string>;
  close(): Promise<void>;
}

type ExportRequest = { id: string; workspace?: string; version?: number; format: ExportFormat; fields: string };

/** Every page a server streams from `route` with `query`, following X-Next-Cursor (the cursor carries the rest). */
async function* serverPages(server: ServerClient, route: string, query: Record<string, string | number>, workspace: string | undefined) {
  let cursor: string | undefined;
  do {
    const res = await server.request('GET', route, { query: cursor ? { ...query, cursor } : query, workspace });
    cursor = res.headers.get('x-next-cursor') ?? undefined;
    yield await res.text();
  } while (cursor);
}

/** Every page of the engine's `read(after)`, following its next key. */
async function* enginePages(read: (after: string) => Promise<ExportPage>) {
  let after: string | null = '';
  while (after !== null) {
    const page = await read(after);
    let text = '';
    for await (const chunk of page.stream) text += chunk.toString();
    yield text;
    after = page.nextAfter;
  }
}

async function serverDiff(server: ServerClient, req: ExportRequest, diff: DiffRange): Promise<ExportSource> {
  const route = `/audiences/${encodeURIComponent(req.id)}/diff`;
  const counts = await server.json<DiffCounts>('GET', `${route}/summary`, { query: { ...diff }, workspace: req.workspace });
  const query = { ...diff, format: req.format, fields: req.fields, limit: EXPORT_PAGE };
  return { ...diffProgress(req.id, counts), pages: () => serverPages(server, route, query, req.workspace), close: async () => {} };
}

function diffProgress(id: string, counts: DiffCounts) {
  return { label: `diffing ${id} v${counts.from}..v${counts.to} (+${counts.added} -${counts.removed})`, total: counts.added + counts.removed };
}

/** The engine's diff: the same checks and pages as the API's, as the admin sees them. */
async function engineDiff(req: ExportRequest, diff: DiffRange): Promise<ExportSource> {
  return withEngine(req, async (warehouse, ws) => {
    await checkedDiffRange(warehouse, ws, req.id, diff);
    const fields = exportFieldsOf(req.fields);
    const counts = await audienceDiffCounts(warehouse, ws, req.id, diff);
    const read = (after: string) => diffAudiencePage(warehouse, ws, req.id, diff, { fields, format: req.format, after, limit: EXPORT_PAGE, maskPhones: false });
    return { ...diffProgress(req.id, counts), pages: () => enginePages(read) };
  });
}

/** Opens the engine for one source, closed with it (or at once when building the source fails). */
async function withEngine(req: ExportRequest, build: (warehouse: Warehouse, ws: string) => Promise<Omit<ExportSource, 'close'>>): Promise<ExportSource> {
  const { warehouse } = await openPlatform();
  try {
    return { ...(await build(warehouse, req.workspace ?? DEFAULT_WORKSPACE)), close: () => warehouse.close() };
  } catch (err) {
    await warehouse.close();
    throw err;
  }
}

function snapshotOf(audience: Pick<AudienceAnswer, 'version' | 'versions'>, id: string, version: number | undefined) {
  const wanted = version ?? audience.version;
  const snapshot = audience.versions.find((v) => v.version === wanted);
  if (!snapshot) throw errors.notFound(`audience ${id} version ${wanted}`);
  return { version: wanted, size: snapshot.size };
}

async function serverExport(server: ServerClient, req: ExportRequest): Promise<ExportSource> {
  const route = `/audiences/${encodeURIComponent(req.id)}`;
  const snapshot = snapshotOf(await server.json<AudienceAnswer>('GET', route, { workspace: req.workspace }), req.id, req.version);
  const query = { format: req.format, fields: req.fields, limit: EXPORT_PAGE, version: snapshot.version };
  return { ...snapshotProgress(req.id, snapshot), pages: () => serverPages(server, `${route}/export`, query, req.workspace), close: async () => {} };
}

const snapshotProgress = (id: string, snapshot: { version: number; size: number }) => ({ label: `exporting ${id} v${snapshot.version}`, total: snapshot.size });

async function engineExport(req: ExportRequest): Promise<ExportSource> {
  return withEngine(req, async (warehouse, ws) => {
    const audience = await getAudience(warehouse, ws, req.id);
    if (!audience) throw errors.notFound(`audience ${req.id}`);
    const fields = exportFieldsOf(req.fields);
    const snapshot = snapshotOf({ version: audience.spec.version, versions: await audienceVersions(warehouse, ws, req.id) }, req.id, req.version);
    const read = (after: string) =>
      exportAudiencePage(warehouse, ws, req.id, { version: snapshot.version, fields, format: req.format, after, limit: EXPORT_PAGE, maskPhones: false });
    return { ...snapshotProgress(req.id, snapshot), pages: () => enginePages(read) };
  });
}

/** --from and --to of a diff, both required. */
function diffFlags(flags: Flags): DiffRange {
  const from = intFlag(flags, 'from');
  const to = intFlag(flags, 'to');
  if (from === undefined || to === undefined) throw new UsageError('a diff needs --from N and --to N (audience versions)');
  return { from, to };
}

/**
 * Streams every page of an audience snapshot (or of a diff between two) to a file or stdout, with progress on
 * stderr; --json writes NDJSON.
 */
async function writeAll(flags: Flags, id: string, workspace: string | undefined, isDiff: boolean): Promise<number> {
  const given = stringFlag(flags, 'format') as ExportFormat | undefined;
  if (flags.json && given && given !== 'ndjson') throw new UsageError('--json writes NDJSON: leave out --format or give --format ndjson');
  const format = given ?? (flags.json ? 'ndjson' : 'csv');
  if (!(format in EXPORT_FORMATS)) throw new UsageError(`--format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  if (format === 'arrow') throw new UsageError('the CLI writes ndjson or csv (Arrow pages are separate streams; use the API)');
  const diff = isDiff ? diffFlags(flags) : undefined;
  const req: ExportRequest = { id, workspace, version: intFlag(flags, 'version'), format, fields: stringFlag(flags, 'fields') ?? 'user_id,phone' };
  const server = serverClient();
  const source = diff ? await (server ? serverDiff(server, req, diff) : engineDiff(req, diff)) : await (server ? serverExport(server, req) : engineExport(req));
  try {
    const outPath = stringFlag(flags, 'out');
    const out: NodeJS.WritableStream = outPath ? fs.createWriteStream(outPath) : process.stdout;
    const progress = progressReporter(source.label, source.total);
    let rows = 0;
    let page = 0;
    for await (let text of source.pages()) {
      // CSV: one header for the whole file.
      if (format === 'csv' && page > 0) text = text.slice(text.indexOf('\n') + 1);
      rows += text.split('\n').filter(Boolean).length - (format === 'csv' && page === 0 ? 1 : 0);
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      progress.update(rows, `${rows} rows`);
      page++;
    }
    progress.finish();
    if (outPath) await new Promise<void>((resolve) => (out as fs.WriteStream).end(() => resolve()));
    process.stderr.write(`${diff ? 'diffed' : 'exported'} ${rows} rows\n`);
    return 0;
  } finally {
    await source.close();
  }
}
