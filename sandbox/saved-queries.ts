/** Saved analyst queries (versioned like segments), each with how the web app charts its result. */
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { MAX_QUERY_LENGTH } from './analyst-sql.ts';

export const CHART_TYPES = ['line', 'bar', 'table'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
const MAX_SERIES = 8;

export interface ChartSpec {
  type: ChartType;
  /** The result column along the horizontal axis (line and bar). */
  x: string | null;
  /** The result columns drawn as series (line and bar). */
  y: string[];
}

export interface SavedQuerySpec {
  query: string;
  description: string;
  chart: ChartSpec;
  /** Shown as a tile on the dashboard (analysts and admins). */
  pinned: boolean;
}

export interface SavedQueryInput {
  id?: string;
  name: string;
  query: string;
  description?: string;
  chart?: { type: string; x?: string | null; y?: readonly string[] };
  pinned?: boolean;
  expectedVersion?: number;
}

const store = (wh: Warehouse) => new MetadataStore<SavedQuerySpec>(wh, 'saved_queries');

/** The checks both the API and any other caller get: paths relative to the input. */
function validSavedQuery(input: SavedQueryInput): SavedQuerySpec {
  if (!input.name.trim()) throw errors.invalid('name', 'must not be blank');
  if (!input.query.trim()) throw errors.invalid('query', 'must not be blank');
  if (input.query.length > MAX_QUERY_LENGTH) throw errors.invalid('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
  const chart = input.chart ?? { type: 'table' };
  if (!CHART_TYPES.includes(chart.type as ChartType)) throw errors.invalid('chart.type', `must be one of ${CHART_TYPES.join(', ')}`);
  const x = chart.x?.trim() || null;
  const y = (chart.y ?? []).map((c) => c.trim());
  if (chart.type !== 'table') {
    if (!x) throw errors.invalid('chart.x', `names the result column along the axis of a ${chart.type} chart`);
    if (y.length === 0) throw errors.invalid('chart.y', `names at least one result column to draw as a ${chart.type}`);
  }
  if (y.length > MAX_SERIES) throw errors.invalid('chart.y', `at most ${MAX_SERIES} columns`);
  const blank = y.findIndex((c) => !c);
  if (blank >= 0) throw errors.invalid(`chart.y[${blank}]`, 'must not be blank');
  return {
    query: input.query,
    description: input.description?.trim() ?? '',
    chart: { type: chart.type as ChartType, x, y },
    pinned: input.pinned ?? false,
  };
}

/** Saves a query (a new version when `id` is given); with `expectedVersion` only if that is still the newest. */
export function saveQuery(wh: Warehouse, workspaceId: string, input: SavedQueryInput, changedBy: string): Promise<MetadataRecord<SavedQuerySpec>> {
  const spec = validSavedQuery(input);
  return store(wh).save(workspaceId, { id: input.id, name: input.name.trim(), spec, changedBy, expectedVersion: input.expectedVersion });
}

/** Versions saved before `pinned` existed read as not pinned. */
const withDefaults = (record: MetadataRecord<SavedQuerySpec>): MetadataRecord<SavedQuerySpec> => ({
  ...record,
  spec: { ...record.spec, pinned: record.spec.pinned ?? false },
});

/** The newest version; undefined when missing, deleted or another workspace's. */
export const getSavedQuery = async (wh: Warehouse, workspaceId: string, id: string) => {
  const record = await store(wh).get(workspaceId, id);
  return record && withDefaults(record);
};

export const listSavedQueries = async (wh: Warehouse, workspaceId: string, limit: number, after: string) =>
  (await store(wh).list(workspaceId, limit, after)).map(withDefaults);

/** Every version, oldest first. */
export const savedQueryHistory = async (wh: Warehouse, workspaceId: string, id: string) => (await store(wh).history(workspaceId, id)).map(withDefaults);

export const deleteSavedQuery = (wh: Warehouse, workspaceId: string, id: string, changedBy: string) => store(wh).remove(workspaceId, id, changedBy);
