/** The segment rule DSL (a public contract): combinators and leaves, as validated JSON. */
import { catalogue } from '../common/lookup.ts';
import type { CompareOp, Scalar } from '../warehouse/query-builder.ts';
import { EVENT_COLUMNS, type WhereClause } from '../warehouse/event-filter-sql.ts';
import { contactRuleAttributes, type ContactAttrKind } from '../ingest/contact-schema.ts';
import type { LifecycleStage } from './lifecycle-settings.ts';

// Comparisons and event filters are built into SQL below the domains (warehouse/); the DSL names them here too.
export { EVENT_COLUMNS, type CompareOp, type Scalar, type WhereClause };
export type AttrOp = CompareOp | 'within_days' | 'is_today';
export type CountOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';

export interface AttrLeaf {
  attr: string;
  op: AttrOp;
  value?: Scalar | Scalar[] | boolean;
}

export interface TagLeaf {
  tag: string;
  value?: string;
}

export interface EventLeaf {
  event: string;
  where?: WhereClause[];
  within_days?: number;
  count?: { op: CountOp; value: number };
}

export type RfmScore = { op: CountOp | 'between' | 'in'; value: number | number[] };
export interface RfmLeaf {
  rfm: { segment?: string; r?: RfmScore; f?: RfmScore; m?: RfmScore };
}

export interface ClusterLeaf {
  cluster: { model: string; in: number[] };
}

/** Contacts in a lifecycle stage now (see lifecycle-sql.ts), or in any of several. */
export interface LifecycleLeaf {
  lifecycle: LifecycleStage | { in: LifecycleStage[] };
}

export type Rule = { all: Rule[] } | { any: Rule[] } | { not: Rule } | AttrLeaf | TagLeaf | EventLeaf | RfmLeaf | ClusterLeaf | LifecycleLeaf;

/** True when a lifecycle leaf appears anywhere in the rule (its compilation needs the workspace's thresholds). */
export function usesLifecycle(rule: Rule): boolean {
  if ('all' in rule) return rule.all.some(usesLifecycle);
  if ('any' in rule) return rule.any.some(usesLifecycle);
  if ('not' in rule) return usesLifecycle(rule.not);
  return 'lifecycle' in rule;
}

/** How an attribute compares: text, number, calendar date (birthday) or instant (signup_at). */
export type AttrKind = ContactAttrKind;

/** Contact columns a rule may name; `attributes.<key>` names a free attribute (text, compared as a number by gt/lt...). */
export const CONTACT_ATTRIBUTES = catalogue<AttrKind>(contactRuleAttributes());

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose',
  'hibernating',
  'lost',
] as const;
