/**
 * Delivery by template and carrier: accepted sends, delivered and failed receipts, the delivery rate
 * (delivered receipts / accepted sends, as the metrics define it) and the most frequent error codes of the
 * failed receipts, with the template's name and version when the registry has it. Events may name
 * templates the registry does not know: those are answered with `in_registry: false`.
 *
 * Read from raw events (send and delivery types of the range's days): the hourly rollups carry template and
 * carrier but neither failed receipts nor error codes.
 */
import { errors } from '../common/errors.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Finding } from './copy-checks.ts';
import { templatesByIds, type CheckedTemplate } from './templates.ts';

/** Error codes listed per template or carrier, most frequent first. */
export const TOP_ERROR_CODES = 5;
/** The most templates one by-template answer lists. */
export const MAX_TEMPLATES = 500;

export interface ErrorCodeShare {
  /** '' when the receipt carried no code. */
  code: string;
  count: number;
  /** count / failed receipts. */
  share: number;
}

interface DeliveryFigures {
  sends: number;
  delivered: number;
  failed: number;
  /** delivered / sends; null without sends. */
  delivery_rate: number | null;
  error_codes: ErrorCodeShare[];
}

export type CarrierDelivery = DeliveryFigures & { carrier: string };

export type TemplateDelivery = DeliveryFigures & {
  template_id: string;
  /** The registry's newest version; null when the registry does not know the id. */
  name: string | null;
  version: number | null;
  in_registry: boolean;
  carriers: CarrierDelivery[];
};

interface Window {
  fromMs: number;
  toMs: number;
  templateId?: string;
  carrier?: string;
}

interface CountRow {
  template_id: string;
  carrier: string;
  sends: string | number;
  delivered: string | number;
  failed: string | number;
}
type CodeRow = { template_id: string; carrier: string; error_code: string; failures: string | number };

/** Counts and codes folded into figures: one tally per key. */
class Tally {
  sends = 0;
  delivered = 0;
  failed = 0;
  readonly codes = new Map<string, number>();

  figures(): DeliveryFigures {
    const error_codes = [...this.codes]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, TOP_ERROR_CODES)
      .map(([code, count]) => ({ code, count, share: this.failed > 0 ? count / this.failed : 0 }));
    return {
      sends: this.sends,
      delivered: this.delivered,
      failed: this.failed,
      delivery_rate: this.sends > 0 ? this.delivered / this.sends : null,
      error_codes,
    };
  }
}

const tallyOf = <K>(map: Map<K, Tally>, key: K): Tally => {
  let t = map.get(key);
  if (!t) map.set(key, (t = new Tally()));
  return t;
};

/** Per template: its tally and its carriers' tallies, from two reads of the window. */
async function tallies(wh: Warehouse, workspaceId: string, w: Window): Promise<Map<string, { all: Tally; carriers: Map<string, Tally> }>> {
  const params = workspaceParams(workspaceId, { from: formatTs(w.fromMs), to: formatTs(w.toMs), template: w.templateId ?? '', carrier: w.carrier ?? '' });
  const [counts, codes] = await Promise.all([
    wh.query<CountRow>(sql('templates/delivery-counts'), params),
    wh.query<CodeRow>(sql('templates/delivery-error-codes'), params),
  ]);
  const out = new Map<string, { all: Tally; carriers: Map<string, Tally> }>();
  const entry = (id: string) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { all: new Tally(), carriers: new Map() }));
    return e;
  };
  for (const r of counts) {
    const e = entry(r.template_id);
    for (const t of [e.all, tallyOf(e.carriers, r.carrier)]) {
      t.sends += Number(r.sends);
      t.delivered += Number(r.delivered);
      t.failed += Number(r.failed);
    }
  }
  for (const r of codes) {
    const e = entry(r.template_id);
    for (const t of [e.all, tallyOf(e.carriers, r.carrier)]) t.codes.set(r.error_code, (t.codes.get(r.error_code) ?? 0) + Number(r.failures));
  }
  return out;
}

const bySendsThenName =
  <T extends { sends: number }>(key: (x: T) => string) =>
  (a: T, b: T) =>
    b.sends - a.sends || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function answer(id: string, tally: { all: Tally; carriers: Map<string, Tally> }, registered: CheckedTemplate | undefined): TemplateDelivery {
  return {
    template_id: id,
    name: registered?.name ?? null,
    version: registered?.version ?? null,
    in_registry: registered !== undefined,
    ...tally.all.figures(),
    carriers: [...tally.carriers].map(([carrier, t]) => ({ carrier, ...t.figures() })).sort(bySendsThenName((c) => c.carrier)),
  };
}

/** Every template the window's events name (narrowed to one carrier when given), most sends first, at most `limit`. */
export async function deliveryByTemplate(
  wh: Warehouse,
  workspaceId: string,
  w: { fromMs: number; toMs: number; carrier?: string; limit: number },
): Promise<{ templates: TemplateDelivery[]; truncated: boolean }> {
  if (!Number.isInteger(w.limit) || w.limit < 1 || w.limit > MAX_TEMPLATES) throw errors.invalid('limit', `must be 1-${MAX_TEMPLATES}`);
  const all = await tallies(wh, workspaceId, w);
  const ranked = [...all].sort(([a, x], [b, y]) => y.all.sends - x.all.sends || (a < b ? -1 : a > b ? 1 : 0)).slice(0, w.limit);
  const registry = new Map(
    (
      await templatesByIds(
        wh,
        workspaceId,
        ranked.map(([id]) => id),
      )
    ).map((t) => [t.id, t]),
  );
  return { templates: ranked.map(([id, tally]) => answer(id, tally, registry.get(id))), truncated: all.size > w.limit };
}

/**
 * One template's delivery in the window, per carrier, with the copy checks' findings on its newest text (none
 * when the registry does not know it). NOT_FOUND when neither the registry nor any event of the window knows
 * the id (another workspace's template alike).
 */
export async function templateDelivery(
  wh: Warehouse,
  workspaceId: string,
  templateId: string,
  w: { fromMs: number; toMs: number },
): Promise<TemplateDelivery & { findings: Finding[] }> {
  const [all, [registered]] = await Promise.all([tallies(wh, workspaceId, { ...w, templateId }), templatesByIds(wh, workspaceId, [templateId])]);
  const tally = all.get(templateId);
  if (!tally && !registered) throw errors.notFound(`template ${templateId}`);
  return { ...answer(templateId, tally ?? { all: new Tally(), carriers: new Map() }, registered), findings: registered?.check.findings ?? [] };
}
