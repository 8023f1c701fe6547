/** Headless Debian Chromium for page tests (installed by scripts/ensure-chromium.ts), without network chatter. */
import { chromium, type Browser } from 'playwright-core';

import { CHROMIUM } from '../../scripts/ensure-chromium.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
