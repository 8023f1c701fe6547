import fs from 'node:fs';
import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { errors } from '../common/errors.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import { audienceVersions, getAudience, materializeAudience, type Eligibility } from '../segmentation/audiences.ts';
import { EXPORT_FORMATS, exportAudiencePage, exportFieldsOf, type ExportFormat } from '../segmentation/exports.ts';
import { getSegment, previewRule } from '../segmentation/segments.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';
import { progressReporter } from './progress.ts';

const USAGE = `usage: smsp segment preview (--rule JSON | --rule-file FILE) [--workspace W]
       smsp audience materialize SEGMENT_ID [--eligibility JSON] [--workspace W]
       smsp audience export AUDIENCE_ID [--format ndjson|csv|arrow] [--fields a,b] [--version N] [--out FILE] [--workspace W]`;

function jsonFlag(flags: Flags, name: string): unknown {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`--${name} is not valid JSON`);
  }
}

/** `smsp segment preview` and `smsp audience materialize|export`. */
export async function segmentCommand(flags: Flags, positionals: string[], noun: 'segment' | 'audience'): Promise<number> {
  const [action, id] = positionals;
  const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
  const valid = (noun === 'segment' && action === 'preview') || (noun === 'audience' && (action === 'materialize' || action === 'export') && id);
  if (!valid) throw new UsageError(USAGE);
  const { warehouse } = await openPlatform();
  try {
    const { timezone } = await workspaceSettings(warehouse, workspace);
    if (action === 'preview') {
      const ruleFile = stringFlag(flags, 'rule-file');
      const rule = ruleFile ? JSON.parse(fs.readFileSync(ruleFile, 'utf8')) : jsonFlag(flags, 'rule');
      if (rule === undefined) throw new UsageError('give --rule JSON or --rule-file FILE');
      const result = await previewRule(warehouse, workspace, rule, { nowMs: Date.now(), timezone, sample: 10 });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    if (action === 'materialize') {
      const segment = await getSegment(warehouse, workspace, id!);
      if (!segment) throw errors.notFound(`segment ${id} in workspace ${workspace}`);
      const started = Date.now();
      const audience = await materializeAudience(warehouse, workspace, segment, (jsonFlag(flags, 'eligibility') ?? {}) as Eligibility, {
        nowMs: Date.now(),
        timezone,
        changedBy: 'cli',
      });
      process.stdout.write(`${JSON.stringify({ audience_id: audience.id, ...audience.spec, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
      return 0;
    }
    return await exportAll(flags, workspace, id!, warehouse);
  } finally {
    await warehouse.close();
  }
}

/** Streams every page of an audience snapshot to a file or stdout, with progress on stderr. */
async function exportAll(flags: Flags, workspace: string, id: string, warehouse: Awaited<ReturnType<typeof openPlatform>>['warehouse']): Promise<number> {
  const audience = await getAudience(warehouse, workspace, id);
  if (!audience) throw errors.notFound(`audience ${id} in workspace ${workspace}`);
  const format = (stringFlag(flags, 'format') ?? 'csv') as ExportFormat;
  if (!(format in EXPORT_FORMATS)) throw new UsageError(`--format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  if (format === 'arrow') throw new UsageError('the CLI writes ndjson or csv (Arrow pages are separate streams; use the API)');
  const fields = exportFieldsOf(stringFlag(flags, 'fields') ?? 'user_id,phone');
  const versionFlag = stringFlag(flags, 'version');
  const version = versionFlag ? Number(versionFlag) : audience.spec.version;
  const snapshot = (await audienceVersions(warehouse, workspace, id)).find((v) => v.version === version);
  if (!snapshot) throw errors.notFound(`audience ${id} version ${version}`);
  const outPath = stringFlag(flags, 'out');
  const out: NodeJS.WritableStream = outPath ? fs.createWriteStream(outPath) : process.stdout;
  const progress = progressReporter(`exporting ${id} v${version}`, snapshot.size);
  let after = '';
  let rows = 0;
  for (let page = 0; ; page++) {
    const result = await exportAudiencePage(warehouse, workspace, id, { version, fields, format, after, limit: 100_000, maskPhones: false });
    let text = '';
    for await (const chunk of result.stream) text += chunk.toString();
    // CSV: one header for the whole file.
    if (format === 'csv' && page > 0) text = text.slice(text.indexOf('\n') + 1);
    rows += text.split('\n').filter(Boolean).length - (format === 'csv' && page === 0 ? 1 : 0);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    progress.update(rows, `${rows} rows`);
    if (result.nextAfter === null) break;
    after = result.nextAfter;
  }
  progress.finish();
  if (outPath) await new Promise<void>((resolve) => (out as fs.WriteStream).end(() => resolve()));
  process.stderr.write(`exported ${rows} rows\n`);
  return 0;
}
