/**
 * The one module that composes SQL text in TypeScript (segment rules, funnels, metric reads): values become
 * bound parameters through Params, conditions are joined here, and the workspace is bound when Params is
 * created, so no generated statement can forget it. Static statements (sql/queries/*.sql name
 * {workspace:String} themselves) get their parameters from workspaceParams. Column names passed in must come
 * from fixed catalogues, never from user text.
 */

/** The condition that keeps a read inside the bound workspace. */
export const WORKSPACE_FILTER = 'workspace_id = {workspace:String}';

/** Collects parameter values and hands out their placeholders; `workspace` is always bound. */
export class Params {
  readonly values: Record<string, unknown>;
  private n = 0;

  constructor(workspaceId: string, initial: Record<string, unknown> = {}) {
    // The workspace first (so a statement's parameters read in a stable order) and never overridden by `initial`.
    this.values = { workspace: workspaceId };
    Object.assign(this.values, initial, { workspace: workspaceId });
  }

  /** Binds `value` as `type` and returns its placeholder, e.g. `{p3:String}`. */
  add(value: unknown, type: string): string {
    const name = `p${this.n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }

  /** `workspace_id = {workspace:String}`: what every generated read of a workspace's table carries. */
  readonly workspaceFilter = WORKSPACE_FILTER;
}

/** Parameters for a static statement of sql/queries, with the workspace bound (and not overridable). */
export function workspaceParams(workspaceId: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  return new Params(workspaceId, params).values;
}

/** Conditions ANDed, each in parentheses; `1` (true) when there are none. */
export function allOf(conditions: readonly string[]): string {
  return conditions.length ? conditions.map((c) => `(${c})`).join(' AND ') : '1';
}

/** Conditions ORed, each in parentheses; `0` (false) when there are none. */
export function anyOf(conditions: readonly string[]): string {
  return conditions.length ? conditions.map((c) => `(${c})`).join(' OR ') : '0';
}

export type CompareOp = 'eq' | 'neq' | 'in' | 'not_in' | 'gt' | 'gte' | 'lt' | 'lte' | 'between' | 'contains' | 'exists';
export type Scalar = string | number;
/** What a comparison compares with: a scalar, a list (in, not_in, between) or a flag (exists). */
export type ComparedValue = Scalar | Scalar[] | boolean | undefined;
/** Instants are compared by rule-sql.ts, which places a date-only value at midnight in the workspace's zone. */
export type ValueType = 'String' | 'Float64' | 'Date32';

/** SQL of the ordering comparisons (counts and scores use them too). */
export const OPERATOR_SQL = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * `column <op> value` for one validated comparison, with the value bound as `type`. `nullable`: a missing value
 * is NULL (else the column's empty string), which decides what `exists` tests.
 */
export function comparison(column: string, op: CompareOp, value: ComparedValue, type: ValueType, params: Params, nullable: boolean): string {
  const bind = (v: unknown) => params.add(v, type);
  switch (op) {
    case 'exists': {
      const present = nullable ? `${column} IS NOT NULL` : `${column} != ''`;
      return value === false ? `NOT (${present})` : present;
    }
    case 'in':
      return `${column} IN ${params.add(value, `Array(${type})`)}`;
    case 'not_in':
      return `${column} NOT IN ${params.add(value, `Array(${type})`)}`;
    case 'between': {
      const [lo, hi] = value as Scalar[];
      return `${column} BETWEEN ${bind(lo)} AND ${bind(hi)}`;
    }
    case 'contains':
      return `positionUTF8(${column}, ${params.add(value, 'String')}) > 0`;
    default:
      return `${column} ${OPERATOR_SQL[op]} ${bind(value)}`;
  }
}
