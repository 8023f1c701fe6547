/** A real app over a real (embedded) warehouse, driven with app.inject(). */
import { createApiKey } from '../../access/api-keys.ts';
import type { Role } from '../../access/roles.ts';
import { buildApp, type App } from '../../api/app.ts';
import type { AppConfig } from '../../config/config.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { checkResponsesAgainstHandlers } from './response-check.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from './warehouse.ts';

export interface TestApp {
  app: App;
  wh: Warehouse;
  config: AppConfig;
  /** A new key with `role` in `workspace` (created on first use). */
  keyFor(role: Role, workspace?: string): Promise<string>;
  rootKey: string;
  close(): Promise<void>;
}

export async function startTestApp(name: string, env: NodeJS.ProcessEnv = {}, beforeReady?: (app: App) => void): Promise<TestApp> {
  const config = testConfig(name, env);
  const wh = await openTestWarehouse(name, env);
  const app = await buildApp({ config, warehouse: wh, logger: false });
  checkResponsesAgainstHandlers(app);
  beforeReady?.(app);
  await app.ready();
  const root = await createApiKey(wh, { workspace: 'default', role: 'admin', name: 'test root', createdBy: 'test', isRoot: true });
  const keys = new Map<string, string>();
  return {
    app,
    wh,
    config,
    rootKey: root.key,
    async keyFor(role, workspace = 'ws_a') {
      const id = `${workspace}/${role}`;
      if (!keys.has(id)) keys.set(id, (await createApiKey(wh, { workspace, role, name: id, createdBy: 'test' })).key);
      return keys.get(id)!;
    },
    async close() {
      await app.close();
      await dropTestDatabase(wh);
    },
  };
}

/** Tests read English messages; the platform's default language is Chinese (see the i18n tests). */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'accept-language': 'en' });

/** Posts events in bodies of 5,000 and fails the test on any rejection. */
export async function postEvents(t: TestApp, key: string, events: object[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(key), payload: events.slice(i, i + 5000) });
    if (res.statusCode !== 202 || res.json().rejected.length) throw new Error(`events refused: ${res.body.slice(0, 500)}`);
  }
}
