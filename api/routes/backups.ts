/**
 * Backups while the server runs: the embedded engine is one process per data directory, so a backup of a running
 * installation is made inside the server, by the same function as `smsp backup`. Root keys only (a backup holds
 * every workspace), into a directory below the backup root. Restores are offline only (`smsp restore`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { BackupManifest } from '../../warehouse/backup-manifest.ts';
import { backupWarehouse } from '../../warehouse/backup.ts';
import { backupDirInsideRoot } from '../../warehouse/backup-paths.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';

const Dir = Type.String({ minLength: 1, maxLength: 1024, description: 'A directory inside the backup root (BACKUP_ROOT), relative to it or absolute' });
const BackupAnswerSchema = Type.Object({
  dir: Type.String(),
  base: Type.Union([Type.String(), Type.Null()]),
  database: Type.String(),
  created_at: Type.String(),
  engine_version: Type.String(),
  migration_version: Type.Union([Type.String(), Type.Null()]),
  tables: Type.Array(Type.Object({ name: Type.String(), rows: Type.String(), checksum: Type.String() })),
});

/** A backup as answered (and as the CLI prints it, made here or through the server). */
export function backupAnswer(dir: string, manifest: BackupManifest) {
  const { database, created_at, engine_version, migration_version, tables } = manifest;
  return { dir, base: manifest.base?.dir ?? null, database, created_at, engine_version, migration_version, tables };
}
export type BackupAnswer = ReturnType<typeof backupAnswer>;

export const backupRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse, config }) => {
  // One backup at a time per server: a second one would only compete for the same disk.
  let running = false;
  app.post(
    '/admin/backups',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Back up everything (all workspaces) with the engine’s BACKUP, incrementally on `base` when given (root keys only)',
        body: Type.Object({ dir: Dir, base: Type.Optional(Dir) }, { additionalProperties: false }),
        response: { 201: BackupAnswerSchema },
      },
    },
    async (request, reply) => {
      if (!request.principal.isRoot) throw errors.rootKeyForAllWorkspaces('backup');
      const root = config.warehouse.backupRoot;
      const dir = backupDirInsideRoot(root, request.body.dir, 'dir');
      const base = request.body.base === undefined ? undefined : backupDirInsideRoot(root, request.body.base, 'base');
      if (running) throw errors.backupRefused('another backup is running on this server; try again when it has finished');
      running = true;
      try {
        return reply.status(201).send(backupAnswer(dir, await backupWarehouse(warehouse, { dir, base })));
      } finally {
        running = false;
      }
    },
  );
};
