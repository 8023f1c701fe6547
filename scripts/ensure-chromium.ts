/**
 * The dashboard's browser test drives Debian's Chromium. Installs it with apt when it is missing and
 * this is root (as on the project's machines and CI); otherwise says what to install.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** A CJK font, so the Chinese dashboard's screenshots show text rather than empty boxes. */
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';

export function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM) && fs.existsSync(CJK_FONT)) return;
  if (process.getuid?.() !== 0) throw new Error(`Chromium or a CJK font is missing: install Debian's chromium and fonts-wqy-zenhei packages`);
  process.stderr.write('installing Chromium and a CJK font for the dashboard browser test (apt-get install chromium fonts-wqy-zenhei)...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-wqy-zenhei'], { stdio: 'inherit', env });
  if (install.status !== 0 || !fs.existsSync(CHROMIUM)) throw new Error('apt-get install chromium failed');
}
