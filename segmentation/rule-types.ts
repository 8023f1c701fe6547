/** The segment rule DSL (a public contract): combinators and leaves, as validated JSON. */
import { catalogue } from '../common/lookup.ts';
import type { CompareOp, Scalar } from '../warehouse/query-builder.ts';

// Comparisons are the query builder's (it turns them into SQL); the DSL names them here too.
export type { CompareOp, Scalar };
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

export interface WhereClause {
  prop: string;
  op: CompareOp;
  value?: Scalar | Scalar[] | boolean;
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

export type Rule = { all: Rule[] } | { any: Rule[] } | { not: Rule } | AttrLeaf | TagLeaf | EventLeaf | RfmLeaf | ClusterLeaf;

/** How an attribute compares: text, number, calendar date (birthday) or instant (signup_at). */
export type AttrKind = 'string' | 'number' | 'date' | 'datetime';

/** Contact columns a rule may name; `attributes.<key>` names a free attribute (text, compared as a number by gt/lt...). */
export const CONTACT_ATTRIBUTES = catalogue<AttrKind>({
  user_id: 'string',
  phone: 'string',
  name: 'string',
  gender: 'string',
  city: 'string',
  region: 'string',
  consent: 'string',
  vip_level: 'number',
  birthday: 'date',
  signup_at: 'datetime',
});

/** Event columns a behaviour `where` may name; any other name is a key of the event's properties. */
export const EVENT_COLUMNS = catalogue<'string' | 'number'>({
  campaign_id: 'string',
  template_id: 'string',
  message_id: 'string',
  channel: 'string',
  carrier: 'string',
  region: 'string',
  status: 'string',
  error_code: 'string',
  experiment_id: 'string',
  variant: 'string',
  revenue: 'number',
});

export const RFM_SEGMENTS = [
  'champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cannot_lose', 'hibernating', 'lost',
] as const;
