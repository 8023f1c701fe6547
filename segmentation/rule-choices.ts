/**
 * What a rule builder offers to pick from: the workspace's tag values, cities and regions, and the property keys
 * of recent events, each bounded and most used first (the builder still accepts a value typed by hand).
 */
import { sql } from '../warehouse/sql-files.ts';
import { formatTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** Values per list (tag values in all; cities, regions and property keys per event type each). */
export const CHOICES_LIMIT = 200;
/** How far back event property keys are read. */
const PROPERTY_DAYS = 30;

export interface RuleChoices {
  tags: { tag: string; value: string; contacts: number }[];
  cities: { value: string; contacts: number }[];
  regions: { value: string; contacts: number }[];
  event_properties: { type: string; key: string; events: number }[];
}

/** The pickers' lists for one workspace, read now. */
export async function ruleChoices(wh: Warehouse, workspaceId: string, nowMs: number): Promise<RuleChoices> {
  const params = { workspace: workspaceId, limit: CHOICES_LIMIT };
  const [tags, places, properties] = await Promise.all([
    wh.query<{ tag: string; value: string; contacts: string }>(sql('rule-choices/tags'), params),
    wh.query<{ kind: string; value: string; contacts: string }>(sql('rule-choices/places'), params),
    wh.query<{ type: string; key: string; events: string }>(sql('rule-choices/event-properties'), {
      ...params,
      from: formatTs(nowMs - PROPERTY_DAYS * 86_400_000),
    }),
  ]);
  const place = (kind: string) => places.filter((p) => p.kind === kind).map((p) => ({ value: p.value, contacts: Number(p.contacts) }));
  return {
    tags: tags.map((t) => ({ tag: t.tag, value: t.value, contacts: Number(t.contacts) })),
    cities: place('city'),
    regions: place('region'),
    event_properties: properties.map((p) => ({ type: p.type, key: p.key, events: Number(p.events) })),
  };
}
