import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { describe, expect, vi } from 'vitest';
import { demoCredentialsPath } from '../../src/demo-seed.js';
import { fetchToken, freePort, ROOT, type Served, startServer } from '../helpers/processes.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
export const SHOTS_DIR = path.join(ROOT, 'test-results/scan');

/**
 * What each test and hook of a browser test file may take unless it gives its own time: Chromium and a server
 * started per suite on a loaded 2-core CI machine.
 */
export const BROWSER_TIMEOUT_MS = 90_000;

/**
 * A suite of browser tests, skipped when Chromium is missing (or `skipIf` holds). Every test and hook of the file
 * defaults to BROWSER_TIMEOUT_MS (`vi.setConfig`, which applies to the current test file only), so no suite repeats it.
 */
export function describeBrowser(name: string, fn: () => void): void;
export function describeBrowser(name: string, options: { skipIf: boolean }, fn: () => void): void;
export function describeBrowser(
  name: string,
  fnOrOptions: (() => void) | { skipIf: boolean },
  maybeFn?: () => void,
): void {
  const [options, fn] =
    typeof fnOrOptions === 'function' ? [{ skipIf: false }, fnOrOptions] : [fnOrOptions, maybeFn as () => void];
  vi.setConfig({ testTimeout: BROWSER_TIMEOUT_MS, hookTimeout: BROWSER_TIMEOUT_MS });
  describe.skipIf(!HAS_CHROMIUM || options.skipIf)(name, fn);
}

/** Headless Debian Chromium (playwright gives each launch a new, empty profile); one per suite. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** A QR code of `text` as a PNG: `size` pixels square with a quiet zone. */
export const qrPng = (text: string, size: number): Promise<Buffer> =>
  QRCode.toBuffer(text, { margin: 4, width: size, errorCorrectionLevel: 'M' });

/**
 * A Y4M video (what Chromium's fake camera plays, looped) of the QR of `text` on white: 640×480, 4:2:0, the luma plane
 * the QR's grey levels, chroma neutral. Two frames of 10 fps are a still picture.
 */
export async function qrY4m(text: string): Promise<Buffer> {
  const W = 640;
  const H = 480;
  const side = 400;
  const luma = await sharp(await qrPng(text, side))
    .greyscale()
    .resize(side, side)
    .extend({
      top: (H - side) / 2,
      bottom: (H - side) / 2,
      left: (W - side) / 2,
      right: (W - side) / 2,
      background: '#ffffff',
    })
    .raw()
    .toBuffer();
  expect(luma.length).toBe(W * H);
  const chroma = Buffer.alloc((W * H) / 4, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]);
}

/**
 * Headless Chromium with a fake camera showing the QR of `text`: `getUserMedia` is answered without asking (the
 * permission is granted) by a stream that plays `qrY4m(text)`. The video lives in a temp dir removed when the browser
 * closes. Pages opened in it see a camera; the suite's ordinary browser (`launchBrowser`) has none.
 */
export async function launchQrCamera(text: string): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-camera-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const video = path.join(dir, 'qr.y4m');
    fs.writeFileSync(video, await qrY4m(text));
    const browser = await launchBrowser([
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
      '--use-fake-ui-for-media-stream',
    ]);
    browser.once('disconnected', remove);
    return browser;
  } catch (err) {
    remove();
    throw err;
  }
}

/** A phone: 360×740 CSS pixels, zh-CN, touch, downloads allowed. */
export function newPhone(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    acceptDownloads: true,
  });
}

/** The real server (`openfapiao serve`) on 127.0.0.1 with the demo tenant, SQLite in a temp dir. */
export async function startAppServer(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-scan-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: Served = await startServer([], {
    DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'true',
    OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    ...env,
  });
  const creds = JSON.parse(fs.readFileSync(demoCredentialsPath(dataDir), 'utf8')) as {
    appId: string;
    appSecret: string;
    sellerTaxId: string;
  };
  const accessToken = await fetchToken(baseUrl, creds);
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return {
    baseUrl,
    sellerTaxId: creds.sellerTaxId,
    api,
    stop: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
