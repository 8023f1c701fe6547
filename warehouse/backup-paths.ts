/**
 * Where the server may write backups: only below the configured backup root. A requested directory is taken
 * relative to the root; one that leaves it (`..`, an absolute path elsewhere, a symbolic link pointing out) is
 * refused with a 400 naming the field, before the engine (whose `backups.allowed_path` is the same root) sees it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errors } from '../common/errors.ts';

const inside = (root: string, candidate: string) => {
  const rel = path.relative(root, candidate);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
};

/** The absolute directory `requested` names below `root`, or an `invalid` error at `field`. */
export function backupDirInsideRoot(root: string, requested: string, field: string): string {
  const refuse = () => errors.invalid(field, `must name a directory inside the backup root ${root} (BACKUP_ROOT)`);
  if (requested.includes('\0')) throw refuse();
  const resolved = path.resolve(root, requested);
  if (!inside(root, resolved)) throw refuse();
  // A link inside the root may point anywhere: the nearest existing ancestor must really be inside it.
  fs.mkdirSync(root, { recursive: true });
  let probe = resolved;
  while (!fs.existsSync(probe)) probe = path.dirname(probe);
  const realRoot = fs.realpathSync(root);
  const real = fs.realpathSync(probe);
  if (real !== realRoot && !inside(realRoot, real)) throw refuse();
  return resolved;
}
