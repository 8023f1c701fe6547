/** Loads the demo data through the same service paths the API uses (validation, merge, dedup). */
import { upsertContacts } from '../ingest/contacts.ts';
import { ingestEvents } from '../ingest/event-writer.ts';
import { changeTags } from '../ingest/tags.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { ExperimentInput } from '../experiments/experiment-schema.ts';
import { createExperiment, getExperiment, setExperimentStatus } from '../experiments/experiments.ts';
import { priceVersions, savePrices, type PriceInput } from '../templates/prices.ts';
import { DEFAULT_DEMO, DEMO_EXPERIMENT, demoPrices, generateContacts, generateEvents, tagAssignments, type DemoOptions } from './generator.ts';

export interface SeedReport {
  contacts: number;
  tags: number;
  events: number;
  rejected: number;
}

const CHUNK = 5000;

/** Where demo data goes: the platform's own write paths, in this process or through a server's API. */
export interface DemoWriter {
  contacts(rows: Record<string, unknown>[]): Promise<{ created: number; updated: number; rejected: unknown[] }>;
  tags(assignments: ReturnType<typeof tagAssignments>): Promise<{ assigned: number }>;
  /** Creates and starts the planted experiment, unless the workspace has it already. */
  experiment(input: ExperimentInput): Promise<void>;
  events(batch: unknown[]): Promise<{ accepted: number; rejected: unknown[] }>;
  /** Sets prices per billed part, unless the workspace has prices already. */
  prices(input: PriceInput): Promise<void>;
}

/** The demo's writer over the warehouse: the same service functions the API routes call. */
export function warehouseDemoWriter(wh: Warehouse, workspaceId: string): DemoWriter {
  return {
    contacts: (rows) => upsertContacts(wh, workspaceId, rows),
    tags: (assignments) => changeTags(wh, workspaceId, { assignments }),
    experiment: async (input) => {
      if (await getExperiment(wh, workspaceId, input.id!)) return;
      await createExperiment(wh, workspaceId, input, 'seed-demo');
      await setExperimentStatus(wh, workspaceId, input.id!, 'running', 'seed-demo');
    },
    events: (batch) => ingestEvents(wh, workspaceId, batch),
    prices: async (input) => {
      if (!(await priceVersions(wh, workspaceId)).length) await savePrices(wh, workspaceId, input, 'seed-demo');
    },
  };
}

/** Loads the demo into a workspace of the warehouse. */
export function seedDemo(wh: Warehouse, workspaceId: string, options: Partial<DemoOptions> = {}, onProgress?: (events: number) => void): Promise<SeedReport> {
  return seedDemoWith(warehouseDemoWriter(wh, workspaceId), options, onProgress);
}

/** Loads the demo through `writer`: contacts, their tags, the planted A/B test, then the events. */
export async function seedDemoWith(
  writer: DemoWriter,
  options: Partial<DemoOptions> = {},
  onProgress: (events: number) => void = () => {},
): Promise<SeedReport> {
  const opts: DemoOptions = { ...DEFAULT_DEMO, endMs: Date.now(), ...options };
  const contacts = generateContacts(opts);
  const report: SeedReport = { contacts: 0, tags: 0, events: 0, rejected: 0 };
  for (let i = 0; i < contacts.length; i += CHUNK) {
    // carrier and interests are generator bookkeeping, not contact fields.
    const chunk = contacts.slice(i, i + CHUNK).map(({ carrier: _c, interests: _i, ...contact }) => contact);
    const r = await writer.contacts(chunk);
    report.contacts += r.created + r.updated;
    report.rejected += r.rejected.length;
  }
  const tags = tagAssignments(contacts);
  for (let i = 0; i < tags.length; i += CHUNK) report.tags += (await writer.tags(tags.slice(i, i + CHUNK))).assigned;
  // The planted A/B test is a real experiment of the workspace, so its results can be read.
  await writer.experiment({
    id: DEMO_EXPERIMENT.id,
    name: DEMO_EXPERIMENT.name,
    variants: [...DEMO_EXPERIMENT.variants],
    metrics: ['click', 'conversion', 'revenue'],
    attribution_hours: 72,
  });
  await writer.prices(demoPrices(opts));
  for (const batch of generateEvents(opts, contacts)) {
    const r = await writer.events(batch);
    report.events += r.accepted;
    report.rejected += r.rejected.length;
    onProgress(report.events);
  }
  return report;
}
