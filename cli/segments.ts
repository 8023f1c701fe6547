import fs from 'node:fs';
import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { fieldAccess, presentPersonal } from '../access/pii-policy.ts';
import { errors } from '../common/errors.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import type { AudienceAnswer } from '../api/routes/audiences.ts';
import type { MaterializedAnswer, PreviewAnswer } from '../api/routes/segments.ts';
import { audienceVersions, getAudience, materializeAudience, type Eligibility } from '../segmentation/audiences.ts';
import { EXPORT_FORMATS, exportAudiencePage, exportFieldsOf, type ExportFormat } from '../segmentation/exports.ts';
import { getSegment, previewRule } from '../segmentation/segments.ts';
import { intFlag, stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';
import { printResult, table } from './output.ts';
import { progressReporter } from './progress.ts';
import { serverClient, viaServerOrEngine, type ServerClient } from './server-client.ts';

const USAGE = `usage: smsp segment preview (--rule JSON | --rule-file FILE) [--workspace W] [--json]
       smsp audience materialize SEGMENT_ID [--eligibility JSON] [--workspace W] [--json]
       smsp audience export AUDIENCE_ID [--format ndjson|csv] [--fields a,b] [--version N] [--out FILE] [--workspace W] [--json]`;
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

/** `smsp segment preview` and `smsp audience materialize|export`: through the server beside the data, else the engine. */
export async function segmentCommand(flags: Flags, positionals: string[], noun: 'segment' | 'audience'): Promise<number> {
  const [action, id] = positionals;
  const workspace = stringFlag(flags, 'workspace');
  const valid = (noun === 'segment' && action === 'preview') || (noun === 'audience' && (action === 'materialize' || action === 'export') && id);
  if (!valid) throw new UsageError(USAGE);
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
        const { version, size, matched, excluded } = audience.spec;
        return { audience_id: audience.id, version, size, matched, excluded, timezone };
      },
      workspace,
    );
    printResult(flags, answer, formatMaterialized);
    return 0;
  }
  return exportAll(flags, id!, workspace);
}

/** Pages of one audience snapshot, from the server (following X-Next-Cursor) or from the engine. */
interface ExportSource {
  snapshot: { version: number; size: number };
  pages(): AsyncGenerator<string>;
  close(): Promise<void>;
}

type ExportRequest = { id: string; workspace?: string; version?: number; format: ExportFormat; fields: string };

function snapshotOf(audience: Pick<AudienceAnswer, 'version' | 'versions'>, id: string, version: number | undefined) {
  const wanted = version ?? audience.version;
  const snapshot = audience.versions.find((v) => v.version === wanted);
  if (!snapshot) throw errors.notFound(`audience ${id} version ${wanted}`);
  return { version: wanted, size: snapshot.size };
}

async function serverExport(server: ServerClient, req: ExportRequest): Promise<ExportSource> {
  const route = `/audiences/${encodeURIComponent(req.id)}`;
  const snapshot = snapshotOf(await server.json<AudienceAnswer>('GET', route, { workspace: req.workspace }), req.id, req.version);
  return {
    snapshot,
    async *pages() {
      let cursor: string | undefined;
      do {
        const query = { format: req.format, fields: req.fields, limit: EXPORT_PAGE, ...(cursor ? { cursor } : { version: snapshot.version }) };
        const res = await server.request('GET', `${route}/export`, { query, workspace: req.workspace });
        cursor = res.headers.get('x-next-cursor') ?? undefined;
        yield await res.text();
      } while (cursor);
    },
    close: async () => {},
  };
}

async function engineExport(req: ExportRequest): Promise<ExportSource> {
  const { warehouse } = await openPlatform();
  const ws = req.workspace ?? DEFAULT_WORKSPACE;
  try {
    const audience = await getAudience(warehouse, ws, req.id);
    if (!audience) throw errors.notFound(`audience ${req.id}`);
    const fields = exportFieldsOf(req.fields);
    const snapshot = snapshotOf({ version: audience.spec.version, versions: await audienceVersions(warehouse, ws, req.id) }, req.id, req.version);
    return {
      snapshot,
      async *pages() {
        let after: string | null = '';
        while (after !== null) {
          const page = await exportAudiencePage(warehouse, ws, req.id, {
            ...snapshot,
            fields,
            format: req.format,
            after,
            limit: EXPORT_PAGE,
            maskPhones: false,
          });
          let text = '';
          for await (const chunk of page.stream) text += chunk.toString();
          yield text;
          after = page.nextAfter;
        }
      },
      close: () => warehouse.close(),
    };
  } catch (err) {
    await warehouse.close();
    throw err;
  }
}

/** Streams every page of an audience snapshot to a file or stdout, with progress on stderr; --json writes NDJSON. */
async function exportAll(flags: Flags, id: string, workspace: string | undefined): Promise<number> {
  const given = stringFlag(flags, 'format') as ExportFormat | undefined;
  if (flags.json && given && given !== 'ndjson') throw new UsageError('--json writes NDJSON: leave out --format or give --format ndjson');
  const format = given ?? (flags.json ? 'ndjson' : 'csv');
  if (!(format in EXPORT_FORMATS)) throw new UsageError(`--format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  if (format === 'arrow') throw new UsageError('the CLI writes ndjson or csv (Arrow pages are separate streams; use the API)');
  const req: ExportRequest = { id, workspace, version: intFlag(flags, 'version'), format, fields: stringFlag(flags, 'fields') ?? 'user_id,phone' };
  const server = serverClient();
  const source = server ? await serverExport(server, req) : await engineExport(req);
  try {
    const outPath = stringFlag(flags, 'out');
    const out: NodeJS.WritableStream = outPath ? fs.createWriteStream(outPath) : process.stdout;
    const progress = progressReporter(`exporting ${id} v${source.snapshot.version}`, source.snapshot.size);
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
    process.stderr.write(`exported ${rows} rows\n`);
    return 0;
  } finally {
    await source.close();
  }
}
