/** Loads the demo data through the same service paths the API uses (validation, merge, dedup). */
import { upsertContacts } from '../ingest/contacts.ts';
import { ingestEvents } from '../ingest/event-writer.ts';
import { changeTags } from '../ingest/tags.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { createExperiment, getExperiment, setExperimentStatus } from '../experiments/experiments.ts';
import { DEFAULT_DEMO, DEMO_EXPERIMENT, generateContacts, generateEvents, tagAssignments, type DemoOptions } from './generator.ts';

export interface SeedReport {
  contacts: number;
  tags: number;
  events: number;
  rejected: number;
}

const CHUNK = 5000;

export async function seedDemo(
  wh: Warehouse,
  workspaceId: string,
  options: Partial<DemoOptions> = {},
  onProgress: (events: number) => void = () => {},
): Promise<SeedReport> {
  const opts: DemoOptions = { ...DEFAULT_DEMO, endMs: Date.now(), ...options };
  const contacts = generateContacts(opts);
  const report: SeedReport = { contacts: 0, tags: 0, events: 0, rejected: 0 };
  for (let i = 0; i < contacts.length; i += CHUNK) {
    // carrier and interests are generator bookkeeping, not contact fields.
    const chunk = contacts.slice(i, i + CHUNK).map(({ carrier: _c, interests: _i, ...contact }) => contact);
    const r = await upsertContacts(wh, workspaceId, chunk);
    report.contacts += r.created + r.updated;
    report.rejected += r.rejected.length;
  }
  const tags = tagAssignments(contacts);
  for (let i = 0; i < tags.length; i += CHUNK) {
    report.tags += (await changeTags(wh, workspaceId, { assignments: tags.slice(i, i + CHUNK) })).assigned;
  }
  // The planted A/B test is a real experiment of the workspace, so its results can be read.
  if (!(await getExperiment(wh, workspaceId, DEMO_EXPERIMENT.id))) {
    await createExperiment(
      wh,
      workspaceId,
      {
        id: DEMO_EXPERIMENT.id,
        name: DEMO_EXPERIMENT.name,
        variants: [...DEMO_EXPERIMENT.variants],
        metrics: ['click', 'conversion', 'revenue'],
        attribution_hours: 72,
      },
      'seed-demo',
    );
    await setExperimentStatus(wh, workspaceId, DEMO_EXPERIMENT.id, 'running', 'seed-demo');
  }
  for (const batch of generateEvents(opts, contacts)) {
    const r = await ingestEvents(wh, workspaceId, batch);
    report.events += r.accepted;
    report.rejected += r.rejected.length;
    onProgress(report.events);
  }
  return report;
}
