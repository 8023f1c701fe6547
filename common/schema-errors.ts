/** Turns JSON Schema validation errors into one message that names the offending field. */

export interface FieldError {
  /** Dotted path of the offending field, e.g. `ts` or `properties.color`. */
  field?: string;
  message: string;
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function dotted(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

const join = (a: string, b: string) => (a && b ? `${a}.${b}` : a || b);

/**
 * The path of the first string (key or value) holding a lone UTF-16 surrogate, which ClickHouse
 * cannot parse: such an item must be refused alone instead of failing its whole batch. Walked with an
 * explicit stack, so no nesting depth can overflow the call stack.
 */
export function illFormedStringPath(value: unknown, path = ''): string | undefined {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [node, at] = stack.pop()!;
    if (typeof node === 'string') {
      if (!node.isWellFormed()) return at || '(value)';
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], join(at, String(i))]);
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      for (const [k] of entries) if (!k.isWellFormed()) return join(at, '(key)');
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], join(at, entries[i]![0])]);
    }
  }
  return undefined;
}

/** The error for an item with a lone surrogate, or undefined when every string is well formed. */
export function illFormedStringError(value: unknown): FieldError | undefined {
  const field = illFormedStringPath(value);
  return field ? { field, message: `${field}: is not valid Unicode text (lone surrogate)` } : undefined;
}

/** The most useful single error: missing or unknown fields first, then the deepest path. */
export function describeSchemaErrors(errors: readonly SchemaError[], prefix = ''): FieldError {
  const at = (pointer: string) => join(prefix, dotted(pointer));
  const required = errors.find((e) => e.keyword === 'required');
  if (required) {
    const missing = (required.params.requiredProperties as string[] | undefined)?.[0] ?? (required.params.missingProperty as string);
    const field = join(at(required.instancePath), missing);
    return { field, message: `${field}: is required` };
  }
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  if (extra) {
    const names = (extra.params.additionalProperties as string[] | undefined) ?? [extra.params.additionalProperty as string];
    const field = join(at(extra.instancePath), String(names[0]));
    return { field, message: `${field}: is not a known field` };
  }
  const enumError = errors.find((e) => e.keyword === 'enum');
  if (enumError) {
    const field = at(enumError.instancePath);
    const allowed = (enumError.params.allowedValues as unknown[] | undefined)?.join(', ');
    return { field, message: `${field}: must be one of ${allowed}` };
  }
  const meaningful = errors.filter((e) => e.keyword !== 'boolean' && e.keyword !== 'anyOf');
  const deepest = [...(meaningful.length ? meaningful : errors)].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!deepest) return { message: 'invalid input' };
  const field = at(deepest.instancePath);
  const anyOf = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === deepest.instancePath);
  const message = anyOf ? 'has the wrong type or format' : (deepest.message ?? 'is invalid');
  return field ? { field, message: `${field}: ${message}` } : { message };
}
