import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_LABELS } from '../../web/console/src/audit-actions.js';
import { ROOT } from '../helpers/processes.js';

/** Every `.ts` file under `dir`, tests excluded. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('审计日志 action names', () => {
  it('names every audit action the server writes in Chinese', () => {
    const written = new Set<string>();
    for (const file of sources(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\baction: '([a-z_]+(?:\.[a-z_]+)+)'/g)) written.add(m[1]!);
      // Actions built from a value: `red_forms.${decision}` and the like.
      for (const m of text.matchAll(/\baction: `([a-z_]+)\.\$\{/g)) written.add(`${m[1]}.*`);
    }
    expect(written.size).toBeGreaterThan(20);
    const missing = [...written].filter((a) =>
      a.endsWith('.*') ? !Object.keys(ACTION_LABELS).some((k) => k.startsWith(a.slice(0, -1))) : !ACTION_LABELS[a],
    );
    expect(missing).toEqual([]);
  });
});
