/** Named SQL statements live in sql/queries/*.sql; this loads them once and caches the text. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');

const cache = new Map<string, string>();

/** Text of `sql/queries/<name>.sql`, e.g. `sql('events/count-by-type')`. */
export function sql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(SQL_DIR, 'queries', `${name}.sql`), 'utf8').trim().replace(/;\s*$/, '');
    cache.set(name, text);
  }
  return text;
}
