/** Named SQL statements live in sql/queries/*.sql; this loads them once and caches the text. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');

const cache = new Map<string, string>();

/**
 * Text of `sql/queries/<name>.sql`, e.g. `sql('events/summary')`. A `{{other/name}}` inside it is
 * replaced by that file's text, so a shared subquery is written once (files only, never values).
 */
export function sql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    // Whole-line comments are dropped: text spliced into a slot must never land inside one.
    const raw = fs
      .readFileSync(path.join(SQL_DIR, 'queries', `${name}.sql`), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*--/.test(line))
      .join('\n')
      .trim()
      .replace(/;\s*$/, '');
    text = raw.replace(/\{\{([a-z0-9_-]+\/[a-z0-9/_-]+)\}\}/g, (_, inner: string) => sql(inner));
    cache.set(name, text);
  }
  return text;
}

/**
 * A named statement with `{{rule}}`-style slots filled by SQL that the platform generated (a compiled
 * segment rule: catalogue SQL whose values are all bound parameters). Never pass user text here.
 */
export function sqlWithGenerated(name: string, slots: Record<string, string>): string {
  return sql(name).replace(/\{\{([a-z_]+)\}\}/g, (whole, slot: string) => {
    const fragment = slots[slot];
    if (fragment === undefined) throw new Error(`no SQL for slot ${whole} in ${name}`);
    return fragment;
  });
}
