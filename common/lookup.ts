/**
 * Name lookups that user text can reach. A plain object literal inherits `constructor`, `toString`,
 * `__proto__`...; looking a user-supplied name up in one finds a function, not "unknown". Catalogues are
 * therefore built without a prototype, and lookups read own properties only.
 */

/** A frozen, prototype-less copy of `entries`: `name in catalogue` and `catalogue[name]` see only its own keys. */
export function catalogue<V>(entries: Record<string, V>): Readonly<Record<string, V>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, V>, entries));
}

/** The value stored under `name` itself in `table`, never an inherited one. */
export function ownValue<V>(table: Readonly<Record<string, V>>, name: string): V | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** An empty object without a prototype, for maps keyed by user text (attributes, properties, headers). */
export function bareRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
