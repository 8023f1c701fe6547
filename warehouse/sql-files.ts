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
    const raw = fs.readFileSync(path.join(SQL_DIR, 'queries', `${name}.sql`), 'utf8').trim().replace(/;\s*$/, '');
    text = raw.replace(/\{\{([a-z0-9/_-]+)\}\}/g, (_, inner: string) => sql(inner));
    cache.set(name, text);
  }
  return text;
}
