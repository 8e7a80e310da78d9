#!/usr/bin/env node
// Gzipped JavaScript a browser loads for each console route (docs/benchmarks.md#console-bundle): the entry and its
// static imports, plus each route's lazy chunk and its static imports, from Vite's manifest of web/console/dist.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '../web/console/dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;

/** The chunk files a manifest entry loads at once (itself and its static imports, transitively). */
function closure(key, seen = new Set()) {
  const entry = manifest[key];
  if (!entry || seen.has(entry.file)) return seen;
  seen.add(entry.file);
  for (const imp of entry.imports ?? []) closure(imp, seen);
  return seen;
}

// Two entries (vite.config.ts): the console (index.html) and the assistant pages (assistant.html).
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry && k.endsWith('index.html'));
const assistantKey = Object.keys(manifest).find((k) => manifest[k].isEntry && k.endsWith('assistant.html'));
const base = closure(entryKey);
const route = (page) => {
  const key = Object.keys(manifest).find((k) => k.endsWith(`/${page}.tsx`) || k.endsWith(`${page}.tsx`));
  return key ? closure(key) : new Set();
};
const kb = (files) => ([...files].reduce((s, f) => s + gz(f), 0) / 1024).toFixed(1);
const union = (...sets) => new Set(sets.flatMap((s) => [...s]));

const rows = [
  ['entry (router, layout, antd core)', base],
  ['login', union(base, route('pages/LoginPage'))],
  ['dashboard (without chart)', union(base, route('pages/DashboardPage'))],
  ['dashboard + ECharts trend (lazy)', union(base, route('pages/DashboardPage'), route('components/TrendChart'))],
  ['login + dashboard (chart excluded)', union(base, route('pages/LoginPage'), route('pages/DashboardPage'))],
  [
    'login + dashboard + chart',
    union(base, route('pages/LoginPage'), route('pages/DashboardPage'), route('components/TrendChart')),
  ],
  ['invoices (pool + drawer)', union(base, route('pages/InvoicesPage'))],
  ['issue form (with src/tax)', union(base, route('pages/IssuePage'))],
];
if (assistantKey) {
  const assistant = closure(assistantKey);
  rows.push(
    ['assistant entry (发票助手, no console router/layout)', assistant],
    ['assistant select page (PC)', union(assistant, route('assistant/SelectPage'))],
    [
      'assistant select page (phone, camera + zxing reader; wasm not counted)',
      union(assistant, route('assistant/SelectPage'), route('assistant/CameraScanner')),
    ],
    ['assistant view page', union(assistant, route('assistant/ViewPage'))],
  );
}
const all = Object.values(manifest)
  .map((e) => e.file)
  .filter((f) => f.endsWith('.js'));
console.log('| route | JS gzipped (KB) |\n|---|---|');
for (const [name, files] of rows) console.log(`| ${name} | ${kb([...files].filter((f) => f.endsWith('.js')))} |`);
console.log(`| all chunks | ${kb(new Set(all))} |`);
