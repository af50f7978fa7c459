import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs; the tests drive it through playwright-core. */
export const chromiumPath = '/usr/bin/chromium';

/** An app served on 127.0.0.1 and a headless Chromium to drive it. */
export interface BrowserRig {
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Serves `app` on a free port and starts headless Chromium with the flags this offline machine
 * needs (no background networking). Fails with a clear message when Chromium is missing.
 *
 * @example const rig = await startBrowserRig(createApp(assistant)); const page = await rig.browser.newPage();
 */
export async function startBrowserRig(app: Hono): Promise<BrowserRig> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is missing at ${chromiumPath}: install Debian's package (apt-get install -y chromium); .ci/run does this before the tests.`);
  }
  const server = await new Promise<Server>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening as Server)) as Server;
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
