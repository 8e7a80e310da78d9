/**
 * Prints the statements sent between two `counters` snapshots of a bench run made with
 * `BENCH_STATEMENT_BREAKDOWN=<dir>` (see bench/servers/statement-counter.ts), per invoice, most frequent first:
 *   node --import tsx bench/statement-breakdown.ts <dir>/1.json <dir>/2.json <invoices>
 */
import fs from 'node:fs';

const [beforeFile, afterFile, invoicesArg] = process.argv.slice(2);
if (!beforeFile || !afterFile || !invoicesArg) {
  console.error('usage: statement-breakdown.ts <before.json> <after.json> <invoices>');
  process.exit(2);
}
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>;
const before = read(beforeFile);
const after = read(afterFile);
const invoices = Number(invoicesArg);
const rows = Object.entries(after)
  .map(([sql, n]) => [sql, n - (before[sql] ?? 0)] as const)
  .filter(([, n]) => n > 0)
  .sort((a, b) => b[1] - a[1]);
let total = 0;
for (const [sql, n] of rows) {
  total += n;
  console.log(`${(n / invoices).toFixed(3).padStart(7)}  ${n.toString().padStart(6)}  ${sql}`);
}
console.log(`${(total / invoices).toFixed(3).padStart(7)}  ${total.toString().padStart(6)}  total`);
